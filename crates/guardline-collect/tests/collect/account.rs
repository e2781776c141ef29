//! Account collector against moto: the SECURITY alternate contact, set and not set.

use aws_sdk_account::types::AlternateContactType;
use guardline_model::inventory::account::AlternateContact;

use crate::harness::Account;

#[tokio::test]
async fn security_contact_set() {
    let account = Account::new().await;
    let client = aws_sdk_account::Client::new(&account.config);
    client
        .put_alternate_contact()
        .alternate_contact_type(AlternateContactType::Security)
        .name("Security Team")
        .title("CISO")
        .email_address("security@example.com")
        .phone_number("+81-3-0000-0000")
        .send()
        .await
        .unwrap();
    // Another type must not count as the security contact.
    client
        .put_alternate_contact()
        .alternate_contact_type(AlternateContactType::Billing)
        .name("Billing")
        .title("CFO")
        .email_address("billing@example.com")
        .phone_number("+81-3-1111-1111")
        .send()
        .await
        .unwrap();

    let snapshot = account.collect(&["ap-northeast-1"]).await.snapshot;
    assert_eq!(
        snapshot.global.security_contact.get().unwrap(),
        &Some(AlternateContact {
            name: "Security Team".into(),
            title: "CISO".into(),
            email: "security@example.com".into(),
            phone: "+81-3-0000-0000".into(),
        })
    );
}

#[tokio::test]
async fn security_contact_not_set() {
    let account = Account::new().await;
    let snapshot = account.collect(&["ap-northeast-1"]).await.snapshot;
    assert_eq!(snapshot.global.security_contact.get().unwrap(), &None);
}
