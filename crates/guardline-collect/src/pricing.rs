//! On-demand EC2 prices from the AWS Price List Query API (`pricing:GetProducts`), for `schedule status`'s
//! savings estimate: the hourly price of Linux, shared-tenancy, no-license instances of a type in a region,
//! with the publication date of the price list it comes from. Read-only, and not part of a scan.
//!
//! The Query API answers in three regions only (`us-east-1`, `eu-central-1`, `ap-south-1`; the China
//! partition has its own): the client is pinned to the partition's one
//! (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-price-list-query-api.html).

use aws_config::{Region, SdkConfig};
use aws_sdk_pricing::types::{Filter, FilterType};
use guardline_model::CollectError;

use crate::error::{classify, malformed};

/// One instance type's on-demand price.
#[derive(Debug, Clone, PartialEq)]
pub struct OnDemandPrice {
    pub usd_per_hour: f64,
    /// The price list's `publicationDate`.
    pub published: String,
}

/// The actions [`on_demand_price`] calls (`guardline iam-policy --for schedule`).
pub const ACTIONS: &[&str] = &["pricing:GetProducts"];

/// The on-demand Linux price of `instance_type` in `region`; `None` when the price list has no such product.
pub async fn on_demand_price(
    config: &SdkConfig,
    region: &str,
    instance_type: &str,
) -> Result<Option<OnDemandPrice>, CollectError> {
    const ACTION: &str = "pricing:GetProducts";
    let endpoint_region = if region.starts_with("cn-") { "cn-northwest-1" } else { "us-east-1" };
    let config = config.to_builder().region(Region::new(endpoint_region)).build();
    let client = aws_sdk_pricing::Client::new(&config);
    let filter = |field: &str, value: &str| {
        Filter::builder().r#type(FilterType::TermMatch).field(field).value(value).build()
    };
    let filters = [
        ("instanceType", instance_type),
        ("regionCode", region),
        ("operatingSystem", "Linux"),
        ("tenancy", "Shared"),
        ("preInstalledSw", "NA"),
        ("capacitystatus", "Used"),
        ("licenseModel", "No License required"),
    ];
    let mut request = client.get_products().service_code("AmazonEC2").max_results(10);
    for (field, value) in filters {
        request =
            request.filters(filter(field, value).map_err(|error| malformed(ACTION, error.to_string()))?);
    }
    let answer = request.send().await.map_err(|error| classify(ACTION, &error))?;
    for item in answer.price_list() {
        let product: serde_json::Value = serde_json::from_str(item)
            .map_err(|error| malformed(ACTION, format!("a price list item: {error}")))?;
        if let Some(price) = hourly_usd(&product) {
            let published = product["publicationDate"].as_str().unwrap_or_default().to_owned();
            return Ok(Some(OnDemandPrice { usd_per_hour: price, published }));
        }
    }
    Ok(None)
}

/// The USD price per hour of a price list item's first on-demand price dimension.
fn hourly_usd(product: &serde_json::Value) -> Option<f64> {
    let terms = product["terms"]["OnDemand"].as_object()?;
    terms.values().find_map(|term| {
        term["priceDimensions"].as_object()?.values().find_map(|dimension| {
            (dimension["unit"].as_str()? == "Hrs").then_some(())?;
            dimension["pricePerUnit"]["USD"].as_str()?.parse::<f64>().ok()
        })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_hourly_price_is_read_from_the_on_demand_terms() {
        let item = serde_json::json!({
            "product": {"sku": "ABC", "attributes": {"instanceType": "t3.micro"}},
            "terms": {"OnDemand": {"ABC.JRTCKXETXF": {"priceDimensions": {"ABC.JRTCKXETXF.6YS6EN2CT7": {
                "unit": "Hrs", "pricePerUnit": {"USD": "0.0136000000"}}}}}},
            "publicationDate": "2026-11-20T00:00:00Z"
        });
        assert_eq!(super::hourly_usd(&item), Some(0.0136));
        assert_eq!(super::hourly_usd(&serde_json::json!({"terms": {}})), None);
    }
}
