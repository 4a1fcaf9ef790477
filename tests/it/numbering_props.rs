//! Property: whatever the mix of normal and secret, incoming and outgoing,
//! accepted and refused registrations, and wherever the year turns, each
//! (register, year, series) is numbered 1, 2, 3… in registration order.

use std::collections::HashMap;

use proptest::prelude::*;
use serde_json::json;
use vanthu::clock::Clock;
use vanthu::config::Config;
use vanthu::registry::types::Direction;

#[derive(Debug, Clone)]
enum Op {
    Register {
        outgoing: bool,
        secret: bool,
        valid: bool,
    },
    NewYear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (any::<bool>(), any::<bool>(), prop::bool::weighted(0.8))
            .prop_map(|(outgoing, secret, valid)| Op::Register { outgoing, secret, valid }),
        1 => Just(Op::NewYear),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn numbers_are_contiguous_per_series(ops in prop::collection::vec(op(), 1..30)) {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async move {
            let dir = tempfile::tempdir().expect("tempdir");
            // 20:00 on 31 December 2024 in Vietnam; each NewYear moves one day on.
            let mut now: chrono::DateTime<chrono::Utc> = "2024-12-31T13:00:00Z".parse().expect("instant");
            let reg = vanthu::app::open_registry(&Config::for_data_dir(dir.path()), Clock::fixed(now)).await.expect("open");
            reg.add_unit(&json!({"code": "VP", "name": "Văn phòng"}), "t").await.expect("unit");
            let mut expected: HashMap<(bool, i32, bool), i32> = HashMap::new();
            for (i, op) in ops.into_iter().enumerate() {
                match op {
                    Op::NewYear => {
                        now += chrono::Duration::days(1);
                        reg.clock.set(now);
                    }
                    Op::Register { outgoing, secret, valid } => {
                        let today = reg.clock.today_vn().to_string();
                        let mut meta = if outgoing {
                            json!({"doc_type": "QĐ", "subject": format!("Đi {i}"), "channel": "paper"})
                        } else {
                            json!({"doc_type": "TB", "issuer": "Bộ Nội vụ", "issued_on": today, "subject": format!("Đến {i}"), "channel": "paper"})
                        };
                        if secret {
                            meta["secrecy"] = json!("mat");
                        }
                        if !valid {
                            meta["unit"] = json!("KHONGCO");
                        }
                        let direction = if outgoing { Direction::Outgoing } else { Direction::Incoming };
                        let result = reg.register(direction, &meta, None, "t").await;
                        if valid {
                            let doc = result.expect("valid registration");
                            let key = (outgoing, vanthu::clock::vn_year(now), secret);
                            let n = expected.entry(key).or_insert(0);
                            *n += 1;
                            assert_eq!(doc.register_number, *n, "{key:?}");
                            assert_eq!(doc.year, key.1);
                        } else {
                            assert!(result.is_err());
                        }
                    }
                }
            }
        });
    }
}
