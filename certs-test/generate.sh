#!/usr/bin/env bash
# Generate the vanthu test PKI (fixtures for signature-verification tests).
#
# !!! TEST ONLY !!!  Every private key written by this script is deliberately
# committed to the repository and is therefore PUBLIC.  Nothing issued here may
# ever be trusted outside the test suite.
#
# Usage:  bash certs-test/generate.sh      (from any directory)
#
# The script writes next to itself: it deletes and recreates root/,
# intermediate/, person/, organisation/, person-ec/, expired/, revoked/, weak/,
# person-pss/, notyetvalid/, wrongku/, tsa/, untrusted/, bundle.p7b and
# FINGERPRINTS.txt.  The layout, subjects, serial numbers,
# validity dates and extensions are fixed; key material (and therefore the
# fingerprints) changes on every run.
#
# Requires only the `openssl` command line (OpenSSL >= 3.0 for
# `openssl ca -crl_lastupdate/-crl_nextupdate`).

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

export LC_ALL=C.UTF-8

# PKCS#12 password for every NAME.p12.
P12_PASS="test"

# Fixed validity windows (UTCTime, as accepted by `openssl ca`).
CA_START="20200101000000Z"
CA_END="20451231235959Z"
EE_START="20240101000000Z"
EE_END="20441231235959Z"
EXPIRED_START="20210101000000Z"
EXPIRED_END="20220101000000Z"
NOTYET_START="20400101000000Z"
NOTYET_END="20410101000000Z"
# Revocation date of revoked/ and lastUpdate/nextUpdate of intermediate/crl.pem.
REVOKED_AT="240601000000Z"
CRL_LAST="20240601000000Z"
CRL_NEXT="20451231235959Z"

# Fixed serial numbers (hex).
SERIAL_ROOT="1000"
SERIAL_INTERMEDIATE="2000"
SERIAL_PERSON="3001"
SERIAL_ORGANISATION="3002"
SERIAL_PERSON_EC="3003"
SERIAL_EXPIRED="3004"
SERIAL_REVOKED="3005"
SERIAL_WEAK="3006"
SERIAL_PERSON_PSS="3007"
SERIAL_NOTYETVALID="3008"
SERIAL_WRONGKU="3009"
SERIAL_TSA="300a"
# The unrelated root in untrusted/ and the end entity it issues.
SERIAL_UNTRUSTED_ROOT="9000"
SERIAL_UNTRUSTED="9001"

# Subjects, most significant RDN first (ASN.1 order, `openssl -subj` syntax).
SUBJ_ROOT="/C=VN/O=vanthu test PKI/CN=vanthu Test Root CA"
SUBJ_INTERMEDIATE="/C=VN/O=vanthu test PKI/CN=vanthu Test Issuing CA"
SUBJ_PERSON="/C=VN/O=Sở Nội vụ thành phố Đà Nẵng/OU=Văn phòng/CN=Nguyễn Văn An/UID=CCCD:048090000001"
SUBJ_ORGANISATION="/C=VN/O=Ủy ban nhân dân Thành phố Hồ Chí Minh/CN=Sở Nội vụ Thành phố Hồ Chí Minh/UID=MST:0400000001"
SUBJ_EXPIRED="/C=VN/O=Sở Nội vụ thành phố Đà Nẵng/CN=Trần Thị Bình"
SUBJ_REVOKED="/C=VN/O=Sở Nội vụ thành phố Đà Nẵng/CN=Lê Hoàng Cường"
SUBJ_TSA="/C=VN/O=vanthu test PKI/CN=vanthu Test TSA"
SUBJ_UNTRUSTED_ROOT="/C=VN/O=Nobody/CN=Untrusted Test Root"

ENTITIES=(person organisation person-ec expired revoked weak person-pss notyetvalid wrongku tsa untrusted)

# ---------------------------------------------------------------- clean up
rm -rf root intermediate "${ENTITIES[@]}" bundle.p7b FINGERPRINTS.txt
mkdir -p root intermediate "${ENTITIES[@]}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------- config
# One config file; three `openssl ca` databases (root, intermediate and the
# unrelated untrusted root) live in the temporary directory and are thrown away
# at the end.
for db in rootdb intdb untrusteddb; do
    mkdir -p "$WORK/$db/new"
    : > "$WORK/$db/index.txt"
    echo "unique_subject = no" > "$WORK/$db/index.txt.attr"
done
echo "1000" > "$WORK/intdb/crlnumber"

CNF="$WORK/openssl.cnf"
cat > "$CNF" <<EOF
[ req ]
distinguished_name  = req_dn
string_mask         = utf8only
utf8                = yes
prompt              = no

[ req_dn ]
# unused: every request passes -subj

[ ca_root ]
dir               = $WORK/rootdb
database          = \$dir/index.txt
new_certs_dir     = \$dir/new
serial            = \$dir/serial
certificate       = $HERE/root/root.cert.pem
private_key       = $HERE/root/root.key.pem
default_md        = sha256
policy            = policy_any
preserve          = yes
email_in_dn       = no
copy_extensions   = none
unique_subject    = no
string_mask       = utf8only
utf8              = yes

[ ca_intermediate ]
dir               = $WORK/intdb
database          = \$dir/index.txt
new_certs_dir     = \$dir/new
serial            = \$dir/serial
crlnumber         = \$dir/crlnumber
certificate       = $HERE/intermediate/intermediate.cert.pem
private_key       = $HERE/intermediate/intermediate.key.pem
default_md        = sha256
policy            = policy_any
preserve          = yes
email_in_dn       = no
copy_extensions   = none
unique_subject    = no
string_mask       = utf8only
utf8              = yes
crl_extensions    = crl_ext

[ ca_untrusted ]
dir               = $WORK/untrusteddb
database          = \$dir/index.txt
new_certs_dir     = \$dir/new
serial            = \$dir/serial
certificate       = $HERE/untrusted/untrusted-root.cert.pem
private_key       = $HERE/untrusted/untrusted-root.key.pem
default_md        = sha256
policy            = policy_any
preserve          = yes
email_in_dn       = no
copy_extensions   = none
unique_subject    = no
string_mask       = utf8only
utf8              = yes

[ policy_any ]
countryName             = optional
organizationName        = optional
organizationalUnitName  = optional
commonName              = supplied
UID                     = optional

[ v3_root ]
basicConstraints        = critical, CA:TRUE
keyUsage                = critical, keyCertSign, cRLSign
subjectKeyIdentifier    = hash

[ v3_intermediate ]
basicConstraints        = critical, CA:TRUE, pathlen:0
keyUsage                = critical, keyCertSign, cRLSign
subjectKeyIdentifier    = hash
authorityKeyIdentifier  = keyid:always

[ v3_signer ]
basicConstraints        = critical, CA:FALSE
keyUsage                = critical, digitalSignature, nonRepudiation
extendedKeyUsage        = emailProtection
subjectKeyIdentifier    = hash
authorityKeyIdentifier  = keyid:always

# Like v3_signer, but keyUsage allows only key encipherment (wrongku/).
[ v3_wrongku ]
basicConstraints        = critical, CA:FALSE
keyUsage                = critical, keyEncipherment
extendedKeyUsage        = emailProtection
subjectKeyIdentifier    = hash
authorityKeyIdentifier  = keyid:always

# RFC 3161 time-stamping unit (tsa/): timeStamping must be the only, critical EKU.
[ v3_tsa ]
basicConstraints        = critical, CA:FALSE
keyUsage                = critical, digitalSignature, nonRepudiation
extendedKeyUsage        = critical, timeStamping
subjectKeyIdentifier    = hash
authorityKeyIdentifier  = keyid:always

[ crl_ext ]
authorityKeyIdentifier  = keyid:always
EOF

# ---------------------------------------------------------------- helpers
# genkey OUT.pem rsa BITS | rsa-pss BITS | ec  -> unencrypted PKCS#8 PEM
# (rsa-pss: an id-RSASSA-PSS key without parameter restrictions)
genkey() {
    local out="$1" kind="$2" bits="${3:-}"
    case "$kind" in
        rsa) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits" -out "$out" 2>/dev/null ;;
        rsa-pss) openssl genpkey -algorithm RSA-PSS -pkeyopt "rsa_keygen_bits:$bits" -out "$out" 2>/dev/null ;;
        ec)  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
                 -pkeyopt ec_param_enc:named_curve -out "$out" ;;
    esac
    chmod 644 "$out"
}

# csr KEY SUBJ OUT
csr() {
    openssl req -new -config "$CNF" -utf8 -key "$1" -subj "$2" -out "$3"
}

# sign CA_SECTION SERIAL START END EXTSECTION CSR OUT [extra ca args...]
sign() {
    local section="$1" serial="$2" start="$3" end="$4" ext="$5" in="$6" out="$7"
    shift 7
    local db
    case "$section" in
        ca_root) db="$WORK/rootdb" ;;
        ca_intermediate) db="$WORK/intdb" ;;
        ca_untrusted) db="$WORK/untrusteddb" ;;
    esac
    echo "$serial" > "$db/serial"
    openssl ca -batch -notext -config "$CNF" -name "$section" -utf8 -preserveDN \
        -startdate "$start" -enddate "$end" -extensions "$ext" \
        -in "$in" -out "$out" "$@" 2>"$WORK/ca.log" || { cat "$WORK/ca.log" >&2; exit 1; }
}

der() {  # PEM cert -> DER next to it
    openssl x509 -in "$1" -outform DER -out "${1%.pem}.der"
}

# ---------------------------------------------------------------- root CA
genkey root/root.key.pem rsa 3072
csr root/root.key.pem "$SUBJ_ROOT" "$WORK/root.csr"
sign ca_root "$SERIAL_ROOT" "$CA_START" "$CA_END" v3_root "$WORK/root.csr" \
    root/root.cert.pem -selfsign -keyfile root/root.key.pem
der root/root.cert.pem

# ---------------------------------------------------------------- issuing CA
genkey intermediate/intermediate.key.pem rsa 3072
csr intermediate/intermediate.key.pem "$SUBJ_INTERMEDIATE" "$WORK/intermediate.csr"
sign ca_root "$SERIAL_INTERMEDIATE" "$CA_START" "$CA_END" v3_intermediate \
    "$WORK/intermediate.csr" intermediate/intermediate.cert.pem
der intermediate/intermediate.cert.pem

# ---------------------------------------------------------------- untrusted root
# A second, unrelated self-signed root (untrusted/); nothing chains it to root/.
genkey untrusted/untrusted-root.key.pem rsa 3072
csr untrusted/untrusted-root.key.pem "$SUBJ_UNTRUSTED_ROOT" "$WORK/untrusted-root.csr"
sign ca_untrusted "$SERIAL_UNTRUSTED_ROOT" "$CA_START" "$CA_END" v3_root "$WORK/untrusted-root.csr" \
    untrusted/untrusted-root.cert.pem -selfsign -keyfile untrusted/untrusted-root.key.pem
der untrusted/untrusted-root.cert.pem

# ---------------------------------------------------------------- end entities
# The issuing CA and the extension section used by `issue`; change them for a
# single call with `ISSUE_CA=... ISSUE_EXT=... issue ...`.
ISSUE_CA=ca_intermediate
ISSUE_EXT=v3_signer

# issue NAME SERIAL SUBJ START END KEYKIND [BITS]
issue() {
    local name="$1" serial="$2" subj="$3" start="$4" end="$5" kind="$6" bits="${7:-}"
    local d="$name" cas
    # NAME.chain.pem = certificate + issuing CA; NAME.p12 also holds the root.
    case "$ISSUE_CA" in
        ca_intermediate) cas=(intermediate/intermediate.cert.pem root/root.cert.pem) ;;
        ca_untrusted)    cas=(untrusted/untrusted-root.cert.pem) ;;
    esac
    genkey "$d/$name.key.pem" "$kind" "$bits"
    csr "$d/$name.key.pem" "$subj" "$WORK/$name.csr"
    sign "$ISSUE_CA" "$serial" "$start" "$end" "$ISSUE_EXT" "$WORK/$name.csr" "$d/$name.cert.pem"
    der "$d/$name.cert.pem"
    cat "$d/$name.cert.pem" "${cas[0]}" > "$d/$name.chain.pem"
    cat "${cas[@]}" > "$WORK/cas.pem"
    openssl pkcs12 -export -name "$name" \
        -inkey "$d/$name.key.pem" -in "$d/$name.cert.pem" -certfile "$WORK/cas.pem" \
        -passout "pass:$P12_PASS" -out "$d/$name.p12"
}

issue person       "$SERIAL_PERSON"       "$SUBJ_PERSON"       "$EE_START" "$EE_END" rsa 2048
issue organisation "$SERIAL_ORGANISATION" "$SUBJ_ORGANISATION" "$EE_START" "$EE_END" rsa 2048
issue person-ec    "$SERIAL_PERSON_EC"    "$SUBJ_PERSON"       "$EE_START" "$EE_END" ec
issue expired      "$SERIAL_EXPIRED"      "$SUBJ_EXPIRED"      "$EXPIRED_START" "$EXPIRED_END" rsa 2048
issue revoked      "$SERIAL_REVOKED"      "$SUBJ_REVOKED"      "$EE_START" "$EE_END" rsa 2048
issue weak         "$SERIAL_WEAK"         "$SUBJ_PERSON"       "$EE_START" "$EE_END" rsa 1024
issue person-pss   "$SERIAL_PERSON_PSS"   "$SUBJ_PERSON"       "$EE_START" "$EE_END" rsa-pss 2048
issue notyetvalid  "$SERIAL_NOTYETVALID"  "$SUBJ_PERSON"       "$NOTYET_START" "$NOTYET_END" rsa 2048
ISSUE_EXT=v3_wrongku \
issue wrongku      "$SERIAL_WRONGKU"      "$SUBJ_PERSON"       "$EE_START" "$EE_END" rsa 2048
ISSUE_EXT=v3_tsa \
issue tsa          "$SERIAL_TSA"          "$SUBJ_TSA"          "$EE_START" "$EE_END" rsa 2048
ISSUE_CA=ca_untrusted \
issue untrusted    "$SERIAL_UNTRUSTED"    "$SUBJ_PERSON"       "$EE_START" "$EE_END" rsa 2048

# ---------------------------------------------------------------- revocation + CRL
openssl ca -batch -config "$CNF" -name ca_intermediate -revoke revoked/revoked.cert.pem \
    -crl_reason keyCompromise 2>"$WORK/ca.log" || { cat "$WORK/ca.log" >&2; exit 1; }
# `openssl ca -revoke` always records "now"; back-date the entry to the fixed
# revocation date (index.txt column 3 is "revocationDate[,reason]").
awk -v FS='\t' -v OFS='\t' -v s="$SERIAL_REVOKED" -v t="$REVOKED_AT" '
    $1 == "R" && toupper($4) == toupper(s) { split($3, a, ","); $3 = t (a[2] != "" ? "," a[2] : "") }
    { print }' "$WORK/intdb/index.txt" > "$WORK/index.new"
mv "$WORK/index.new" "$WORK/intdb/index.txt"

openssl ca -batch -config "$CNF" -name ca_intermediate -gencrl \
    -crl_lastupdate "$CRL_LAST" -crl_nextupdate "$CRL_NEXT" \
    -out intermediate/crl.pem 2>"$WORK/ca.log" || { cat "$WORK/ca.log" >&2; exit 1; }
openssl crl -in intermediate/crl.pem -outform DER -out intermediate/crl.der

# ---------------------------------------------------------------- PKCS#7 bundle
openssl crl2pkcs7 -nocrl -certfile root/root.cert.pem -certfile intermediate/intermediate.cert.pem \
    -outform DER -out bundle.p7b

# ---------------------------------------------------------------- fingerprints
{
    echo "# vanthu test PKI - generated by certs-test/generate.sh. TEST KEYS ONLY, never trust."
    echo "# sha256 = SHA-256 of the DER certificate, lower-case hex."
    echo "# subject/issuer in RFC 2253 order (most specific RDN first), UTF-8."
    for f in root/root.cert.pem intermediate/intermediate.cert.pem \
             person/person.cert.pem organisation/organisation.cert.pem \
             person-ec/person-ec.cert.pem expired/expired.cert.pem \
             revoked/revoked.cert.pem weak/weak.cert.pem \
             person-pss/person-pss.cert.pem notyetvalid/notyetvalid.cert.pem \
             wrongku/wrongku.cert.pem tsa/tsa.cert.pem \
             untrusted/untrusted-root.cert.pem untrusted/untrusted.cert.pem; do
        fp="$(openssl x509 -in "$f" -noout -fingerprint -sha256 | sed 's/^.*=//; s/://g' | tr 'A-F' 'a-f')"
        echo
        echo "file:      $f"
        echo "sha256:    $fp"
        echo "serial:    $(openssl x509 -in "$f" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f')"
        echo "subject:   $(openssl x509 -in "$f" -noout -subject -nameopt RFC2253,-esc_msb | sed 's/^subject=//')"
        echo "issuer:    $(openssl x509 -in "$f" -noout -issuer -nameopt RFC2253,-esc_msb | sed 's/^issuer=//')"
        echo "notBefore: $(openssl x509 -in "$f" -noout -startdate | sed 's/^notBefore=//')"
        echo "notAfter:  $(openssl x509 -in "$f" -noout -enddate | sed 's/^notAfter=//')"
    done
} > FINGERPRINTS.txt

echo "test PKI written to $HERE"
