//! Account settings: the SECURITY alternate contact (`account:GetAlternateContact`).

use aws_config::SdkConfig;
use aws_sdk_account::types::AlternateContactType;
use guardline_model::CollectError;
use guardline_model::inventory::account::AlternateContact;

use super::GlobalPart;
use crate::cx::Cx;

/// The SECURITY alternate contact of the account.
pub async fn collect(cx: &Cx, config: &SdkConfig) -> GlobalPart {
    let client = aws_sdk_account::Client::new(config);
    let contact = security_contact(cx, &client).await.into();
    Box::new(move |global| global.security_contact = contact)
}

/// `account:GetAlternateContact` type SECURITY; `ResourceNotFoundException` means none is set.
async fn security_contact(
    cx: &Cx,
    client: &aws_sdk_account::Client,
) -> Result<Option<AlternateContact>, CollectError> {
    let request =
        client.get_alternate_contact().alternate_contact_type(AlternateContactType::Security).send();
    let answer = match cx.call("account:GetAlternateContact", request).await {
        Ok(answer) => answer,
        Err(error) if error.code.as_deref() == Some("ResourceNotFoundException") => return Ok(None),
        Err(error) => return Err(error),
    };
    Ok(answer.alternate_contact().map(|contact| AlternateContact {
        name: contact.name().unwrap_or_default().to_owned(),
        title: contact.title().unwrap_or_default().to_owned(),
        email: contact.email_address().unwrap_or_default().to_owned(),
        phone: contact.phone_number().unwrap_or_default().to_owned(),
    }))
}
