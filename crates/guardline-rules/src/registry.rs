//! [`RULES`]: every control Guardline checks, in guideline order.

use crate::Rule;
use crate::rules::*;

/// All rules, in guideline order (section, then item, then ID).
#[rustfmt::skip]
pub static RULES: &[&Rule] = &[
    // 1. Cost
    // 2. Security hardening
    &security::security_group_open_to_world::RULE,
    // 3. Preventing mistakes
    // 4. Detection
];

/// The rule with control ID `id` (case-insensitive).
pub fn find_rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| rule.id.eq_ignore_ascii_case(id))
}
