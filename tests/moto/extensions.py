"""Test-only additions to moto server 5.2.5 for the AWS operations Guardline calls and moto lacks.

moto 5.2.5 answers these with an HTML 404/500 (no route, or NotImplementedError), so without this module the
controls that read them could only be tested with aws-smithy-mocks. `Extensions` is a WSGI middleware around
moto's app: it answers the operations below itself and hands every other request to moto unchanged.

- IAM Access Analyzer (restJson): CreateAnalyzer (an `ORGANIZATION*` analyzer only by the management account or
  Access Analyzer's delegated administrator, with its trusted access), GetAnalyzer, ListAnalyzers (`type` filter), DeleteAnalyzer,
  ListFindings (empty unless seeded; `filter` with eq/neq/contains/exists on top-level fields).
- Security Hub standards (restJson): DescribeStandards, GetEnabledStandards, BatchEnableStandards. Like AWS,
  they need an enabled hub (moto's EnableSecurityHub, else InvalidAccessException), and EnableSecurityHub
  subscribes the default standards (FSBP, CIS 1.2.0) unless `EnableDefaultStandards` is false. Subscriptions
  are READY at once and vanish when the hub is disabled.
- Cost Explorer anomaly detection (awsJson1.1, per account): CreateAnomalyMonitor, GetAnomalyMonitors,
  CreateAnomalySubscription, GetAnomalySubscriptions, GetAnomalies (always empty). Like AWS, an account has
  at most one per-service monitor (DIMENSIONAL, dimension SERVICE): a second one is refused with AWS's
  `ValidationException` "Limit exceeded on dimensional spend monitor creation"; subscribers carry a `Status`,
  CONFIRMED when created, DECLINED once seeded as declined (the recipient turned the alerts down).
- Budgets: DescribeSubscribersForNotification (moto stores the subscribers but answers a 500).
- Price List: GetProducts (moto has no Price List API) answers an empty list unless a test seeds the
  documented answer with prices.
- GuardDuty: ListFindings, GetFindings (findings seeded per detector; `findingCriteria` applied to
  top-level and dotted fields with eq/neq/gt/gte/lt/lte and their long names).
- GuardDuty organisations: DescribeOrganizationConfiguration and UpdateOrganizationConfiguration, for the
  delegated administrator moto's EnableOrganizationAdminAccount designated (others: BadRequestException);
  `ALL` enables GuardDuty in every active member account at once (AWS: within 24 hours), creating the
  detectors members lack; the management account is not auto-enabled.
- Amazon Inspector organisations: `Enable` with `accountIds` by the delegated administrator (moto's
  EnableDelegatedAdminAccount) also enables the scans in each member's own backend, where AWS records them
  and the member's BatchGetAccountStatus reads them (moto keeps them in the administrator's backend only).
- GuardDuty administrators: the delegated administrator's ListFindings and GetFindings also answer the
  findings of the organisation's member accounts in the region, as AWS lets the administrator account see
  its members' findings (moto answers the caller's own detector only).
- Organizations reads by a delegated administrator: ListAccounts, ListRoots, ListAccountsForParent,
  ListOrganizationalUnitsForParent, ListParents, DescribeOrganizationalUnit, DescribeOrganization,
  DescribeAccount and ListTagsForResource from an account that is a delegated administrator (of any service,
  GuardDuty's and Security Hub's designations included) answer as the management account would (moto answers
  a member from its own, empty, backend).
- SSM: DescribeInstanceInformation (empty unless seeded; filters are not applied).
- SSM maintenance windows, on moto's own objects (`ssm_backends[account][region].windows`, each with its
  `targets` and `tasks`): UpdateMaintenanceWindow, UpdateMaintenanceWindowTarget, UpdateMaintenanceWindowTask
  (only the fields given change; with `Replace` the required fields must be given and the others become null;
  an unknown window, target or task is a DoesNotExistException). GetMaintenanceWindow and
  DescribeMaintenanceWindows answer the `Enabled` an update set (moto always says true), and
  DescribeMaintenanceWindowTasks gives the task type under AWS's key `Type` (moto's serializer drops its
  `TaskType`, so the type could not be read back) and applies its filters.

- SSM: GetMaintenanceWindowTask (moto lacks it), from moto's task objects, with the task's
  `TaskInvocationParameters`, which AWS returns only here (DescribeMaintenanceWindowTasks leaves them out).
- CloudTrail organisation trails: a member account's DescribeTrails lists its management account's
  organisation trails (multi-region, or homed in the region), and GetTrailStatus and GetEventSelectors by such
  a trail's ARN answer from the owner's trail (moto lists and reads the caller's own trails only).
- CloudTrail: GetEventSelectors answers AWS's default selector (all read and write management events) for a
  trail nobody put selectors on; moto answers empty lists, which would read as "logs nothing".
- IAM: GetCredentialReport's `GeneratedTime` is the time of the account's last GenerateCredentialReport (moto
  answers 2015-02-02T20:02:02Z for every report).
- CloudTrail event history: LookupEvents (moto lacks it) for the `CreateAccessKey` calls made through this
  server: each successful IAM CreateAccessKey is recorded as a management event of the account, in us-east-1
  (where CloudTrail records IAM's global events), with the `CloudTrailEvent` record AWS documents; LookupEvents
  filters on one `LookupAttributes` item (EventName, Username or EventSource), `StartTime`/`EndTime`, and pages
  by 50.
- IAM centralised root access: ListOrganizationsFeatures, Enable/DisableOrganizationsRootCredentialsManagement
  and ...RootSessions, per moto organisation (the management account only; members and accounts outside
  an organisation get AWS's errors, and so does an organisation without IAM's trusted access,
  `organizations:EnableAWSServiceAccess --service-principal iam.amazonaws.com`: ServiceAccessNotEnabled).
  EnableAWSServiceAccess takes `iam.amazonaws.com`, and Register/ListDelegatedAdministrators take
  `config.amazonaws.com` (moto refuses both as unknown principals).
- Root sessions (centralised root access): STS AssumeRoot from an organisation's management account, with
  RootCredentialsManagement enabled, into a member; IAM GetLoginProfile, ListAccessKeys, ListMFADevices and
  ListSigningCertificates without a user name, in that session, answer the member root's credentials (none,
  as AWS leaves a new member under the feature, unless seeded); anything else in a root session is
  AccessDenied.
- Security Hub organisations: ListOrganizationAdminAccounts (moto's EnableOrganizationAdminAccount's
  administrator), UpdateOrganizationConfiguration as AWS validates it (CENTRAL needs the home Region's finding
  aggregator; moto requires the output-only `Status`), finding aggregators (Create/List/Get/Update), and
  central configuration: Create/List/Get/UpdateConfigurationPolicy and Start/GetConfigurationPolicyAssociation
  for account targets; an association enables the member's Security Hub with the policy's standards in the
  home Region and each linked one at once (AWS: asynchronously).
- The new AWS Security Hub (2025): DescribeSecurityHubV2 (ResourceNotFoundException until enabled),
  EnableSecurityHubV2, DisableSecurityHubV2, per account and region.
- Resource Groups: ListGroupResources (moto: NotImplementedError) for tag-query groups (`TAG_FILTERS_1_0`),
  resolved against moto's EC2 instances of the account and region.
- Documented answers: `POST /guardline-test/answers` makes the extension answer one operation for one account
  (and region, or `"*"`) with a body a test wrote from the AWS API reference, in place of moto's (or of
  nothing, where moto lacks the operation). Every answer must cite the reference page it follows. This is how
  a test serves what moto cannot produce: an organisation trail seen from a member account, aggregated
  Security Hub findings from other regions and accounts, a credential report older than a key, ...

State is in memory per account and region (Cost Explorer: per account), like moto's, and is wiped with
moto's by `POST /moto-api/reset`. The account is resolved as moto resolves it (MOTO_ACCOUNT_ID, the
`x-moto-account-id` header, the access key moto issued, else 123456789012).

Seeding (test control API, JSON bodies, answer `{"status": "ok"}`):
- `POST /guardline-test/access-analyzer/findings` {"account_id", "region", "analyzer_name", "findings": [...]}
- `POST /guardline-test/guardduty/findings` {"account_id", "region", "detector_id"?, "findings": [...]}
  (without detector_id: the region's first detector)
- `POST /guardline-test/ssm/instance-information` {"account_id", "region", "instances": [...]}
- `POST /guardline-test/ce/declined-subscribers` {"account_id", "address"}: every anomaly subscriber of the
  account with that address becomes DECLINED
- `POST /guardline-test/root-credentials` {"account_id", "password": bool, "access_keys": [{"id", "status"}],
  "mfa_devices": [serial], "signing_certificates": n}: what a root session sees of that account's root.
- `POST /guardline-test/answers` {"account_id", "region" ("*": any), "service" (the signing name, e.g.
  "cloudtrail"), "operation" (e.g. "DescribeTrails"), "match"? (key/values the request's parameters must
  have), "status"? (default 200), "body" (JSON, or text for XML protocols), "content_type"?, "times"? (serve it
  that many times, default: every time), "reference" (the docs.aws.amazon.com page the answer follows)}.
  The newest matching answer wins.
Findings and instances are given in the service's own JSON shape and stored as they are.
"""

import datetime
import json
import os
import re
import threading
import uuid
from io import BytesIO
from typing import Any, Callable
from urllib.parse import parse_qs, unquote

from moto.budgets.models import budgets_backends
from moto.cloudtrail.models import cloudtrail_backends
from moto.ec2.models import ec2_backends
from moto.core.responses import BaseResponse
from moto.guardduty.models import guardduty_backends
from moto.inspector2.models import inspector2_backends
from moto.iam.models import get_account_id_from, mark_account_as_visited
from moto.organizations.models import organizations_backends
from moto.resourcegroups.models import resourcegroups_backends
from moto.securityhub.models import securityhub_backends
from moto.ssm.models import FakeMaintenanceWindow, FakeMaintenanceWindowTarget, FakeMaintenanceWindowTask, ssm_backends
from moto.utilities.utils import get_partition
from werkzeug.wsgi import get_input_stream

JSON_11 = "application/x-amz-json-1.1"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


class Request:
    """The parts of a WSGI request the extension routes on; the body is read only when handled."""

    def __init__(self, environ: dict[str, Any]):
        self.environ = environ
        self.method = environ["REQUEST_METHOD"]
        self.path = unquote(environ.get("PATH_INFO", ""))
        self.query = parse_qs(environ.get("QUERY_STRING", ""))
        self.target = environ.get("HTTP_X_AMZ_TARGET", "")
        auth = environ.get("HTTP_AUTHORIZATION", "")
        scope = re.search(r"Credential=[^/]+/[^/]+/([^/]+)/([^/]+)/", auth)
        self.region, self.service = scope.groups() if scope else ("us-east-1", "")
        key = BaseResponse.access_key_regex.search(auth)
        self.access_key = key.group("access_key") if key else "AKIAEXAMPLE"

    @property
    def account(self) -> str:
        if "MOTO_ACCOUNT_ID" in os.environ:
            return os.environ["MOTO_ACCOUNT_ID"]
        return self.environ.get("HTTP_X_MOTO_ACCOUNT_ID") or get_account_id_from(self.access_key)

    def json(self) -> dict[str, Any]:
        body = get_input_stream(self.environ).read()
        return json.loads(body) if body.strip() else {}

    def arg(self, name: str) -> str | None:
        return self.query.get(name, [None])[0]


# The Organizations reads a delegated administrator may make, answered from the management account's backend.
DELEGATED_ORGANIZATIONS_READS = {f"AWSOrganizationsV20161128.{action}" for action in (
    "ListAccounts", "ListRoots", "ListAccountsForParent", "ListOrganizationalUnitsForParent", "ListParents",
    "DescribeOrganizationalUnit", "DescribeOrganization", "DescribeAccount", "ListTagsForResource")}


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def page(items: list[Any], token: str | None, max_results: Any, default: int = 100) -> tuple[list[Any], str | None]:
    """One page of `items` from the opaque token `token` (an offset); the next token, if any."""
    start = int(token) if token and token.isdigit() else 0
    size = int(max_results or default)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def dig(document: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        document = document.get(part) if isinstance(document, dict) else None
    return document


# ---- IAM Access Analyzer ----

ANALYZER_TYPES = {
    "ACCOUNT",
    "ORGANIZATION",
    "ACCOUNT_UNUSED_ACCESS",
    "ORGANIZATION_UNUSED_ACCESS",
    "ACCOUNT_INTERNAL_ACCESS",
    "ORGANIZATION_INTERNAL_ACCESS",
}


def analyzer_criterion(value: Any, criterion: dict[str, Any]) -> bool:
    values = value if isinstance(value, list) else [value]
    text = [str(v).lower() if isinstance(v, bool) else str(v) for v in values if v is not None]
    if "eq" in criterion and not any(v in criterion["eq"] for v in text):
        return False
    if "neq" in criterion and any(v in criterion["neq"] for v in text):
        return False
    if "contains" in criterion and not any(c in v for c in criterion["contains"] for v in text):
        return False
    if "exists" in criterion and bool(text) != criterion["exists"]:
        return False
    return True


# ---- Security Hub ----

def standards_catalog(region: str) -> list[dict[str, Any]]:
    partition = get_partition(region)

    def standard(arn: str, name: str, default: bool) -> dict[str, Any]:
        return {
            "StandardsArn": arn,
            "Name": name,
            "Description": f"{name} (Guardline test emulator)",
            "EnabledByDefault": default,
            "StandardsManagedBy": {"Company": "AWS", "Product": "Security Hub"},
        }

    regional = f"arn:{partition}:securityhub:{region}::standards"
    return [
        standard(f"{regional}/aws-foundational-security-best-practices/v/1.0.0",
                 "AWS Foundational Security Best Practices v1.0.0", True),
        standard(f"arn:{partition}:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
                 "CIS AWS Foundations Benchmark v1.2.0", True),
        standard(f"{regional}/cis-aws-foundations-benchmark/v/1.4.0", "CIS AWS Foundations Benchmark v1.4.0", False),
        standard(f"{regional}/cis-aws-foundations-benchmark/v/3.0.0", "CIS AWS Foundations Benchmark v3.0.0", False),
        standard(f"{regional}/nist-800-53/v/5.0.0", "NIST Special Publication 800-53 Revision 5", False),
        standard(f"{regional}/pci-dss/v/3.2.1", "PCI DSS v3.2.1", False),
        standard(f"{regional}/aws-resource-tagging-standard/v/1.0.0", "AWS Resource Tagging Standard v1.0.0", False),
    ]


# ---- Cost Explorer ----

FREQUENCIES = ("DAILY", "IMMEDIATE", "WEEKLY")


# ---- GuardDuty ----

GUARDDUTY_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda value, wanted: value in wanted,
    "equals": lambda value, wanted: value in wanted,
    "neq": lambda value, wanted: value not in wanted,
    "notEquals": lambda value, wanted: value not in wanted,
    "gt": lambda value, bound: value > bound,
    "greaterThan": lambda value, bound: value > bound,
    "gte": lambda value, bound: value >= bound,
    "greaterThanOrEqual": lambda value, bound: value >= bound,
    "lt": lambda value, bound: value < bound,
    "lessThan": lambda value, bound: value < bound,
    "lte": lambda value, bound: value <= bound,
    "lessThanOrEqual": lambda value, bound: value <= bound,
}


def guardduty_value(finding: dict[str, Any], field: str) -> Any:
    value = dig(finding, field)
    if field in ("updatedAt", "createdAt") and isinstance(value, str):
        # Criteria on timestamps are epoch milliseconds; findings carry ISO 8601 strings.
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return int(parsed.timestamp() * 1000)
    return value


def guardduty_matches(finding: dict[str, Any], criteria: dict[str, Any]) -> bool:
    for field, condition in criteria.items():
        value = guardduty_value(finding, field)
        for operator, wanted in condition.items():
            test = GUARDDUTY_OPERATORS.get(operator)
            if value is None or test is None:
                return False
            if isinstance(wanted, list):  # eq/neq: the API sends the values as strings
                text = str(value).lower() if isinstance(value, bool) else str(value)
                if not test(text, [str(w) for w in wanted]):
                    return False
            elif not test(value, wanted):
                return False
    return True


# ---- Documented answers ----

# restJson operations that documented answers can stand in for: (service, method, path) -> operation. (awsJson
# operations are named by their X-Amz-Target, query-protocol ones by their Action parameter.)
REST_OPERATIONS = {
    ("securityhub", "POST", "/findings"): "GetFindings",
    ("securityhub", "GET", "/accounts"): "DescribeHub",
    ("inspector2", "POST", "/status/batch/get"): "BatchGetAccountStatus",
    ("access-analyzer", "GET", "/analyzer"): "ListAnalyzers",
    ("resource-groups", "POST", "/list-group-resources"): "ListGroupResources",
}

# IAM's centralised root access actions, and the feature each enables or disables (None: only lists).
ROOT_ACCESS_ACTIONS: dict[str, Any] = {
    "ListOrganizationsFeatures": None,
    "EnableOrganizationsRootCredentialsManagement": "RootCredentialsManagement",
    "EnableOrganizationsRootSessions": "RootSessions",
    "DisableOrganizationsRootCredentialsManagement": "RootCredentialsManagement",
    "DisableOrganizationsRootSessions": "RootSessions",
}

DEFAULT_EVENT_SELECTORS = [
    {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [], "ExcludeManagementEventSources": []}
]


def operation_of(request: "Request", body: bytes) -> tuple[str, dict[str, Any]]:
    """The operation a request calls and its parameters (JSON body, form parameters, or query string)."""
    if request.target:
        return request.target.rsplit(".", 1)[-1], json.loads(body) if body.strip() else {}
    content_type = request.environ.get("CONTENT_TYPE", "")
    if "x-www-form-urlencoded" in content_type or (request.method == "GET" and "Action" in request.query):
        form = parse_qs(body.decode()) if body else {}
        form.update(request.query)
        params = {key: values[0] for key, values in form.items()}
        return params.get("Action", ""), params
    operation = REST_OPERATIONS.get((request.service, request.method, request.path.rstrip("/")), "")
    params: dict[str, Any] = {key: values[0] for key, values in request.query.items()}
    if body.strip():
        try:
            params.update(json.loads(body))
        except ValueError:
            pass
    return operation, params


def answer_matches(answer: dict[str, Any], request: "Request", operation: str, params: dict[str, Any]) -> bool:
    return (answer["operation"] == operation
            and answer["region"] in ("*", request.region)
            and all(params.get(key) == value for key, value in (answer.get("match") or {}).items()))


class Extensions:
    """WSGI middleware: answers the operations listed in the module docstring, passes the rest to `app`."""

    def __init__(self, app: Callable[..., Any]):
        self.app = app
        self.lock = threading.Lock()
        self.reset()
        rest: list[tuple[str, str, str, Callable[..., Any]]] = [
            ("access-analyzer", "PUT", r"/analyzer", self.create_analyzer),
            ("access-analyzer", "GET", r"/analyzer", self.list_analyzers),
            ("access-analyzer", "GET", r"/analyzer/(?P<name>[^/]+)", self.get_analyzer),
            ("access-analyzer", "DELETE", r"/analyzer/(?P<name>[^/]+)", self.delete_analyzer),
            ("access-analyzer", "POST", r"/finding", self.list_analyzer_findings),
            ("securityhub", "GET", r"/standards", self.describe_standards),
            ("securityhub", "POST", r"/standards/get", self.get_enabled_standards),
            ("securityhub", "POST", r"/standards/register", self.batch_enable_standards),
            ("guardduty", "POST", r"/detector/(?P<detector>[^/]+)/findings", self.list_guardduty_findings),
            ("guardduty", "POST", r"/detector/(?P<detector>[^/]+)/findings/get", self.get_guardduty_findings),
            ("guardduty", "GET", r"/detector/(?P<detector>[^/]+)/admin", self.describe_guardduty_organization),
            ("guardduty", "POST", r"/detector/(?P<detector>[^/]+)/admin", self.update_guardduty_organization),
            ("resource-groups", "POST", r"/list-group-resources", self.list_group_resources),
            ("securityhub", "GET", r"/organization/admin", self.list_security_hub_admins),
            ("securityhub", "POST", r"/organization/configuration", self.update_security_hub_organization),
            ("securityhub", "POST", r"/findingAggregator/create", self.create_finding_aggregator),
            ("securityhub", "GET", r"/findingAggregator/list", self.list_finding_aggregators),
            ("securityhub", "GET", r"/findingAggregator/get/(?P<arn>.+)", self.get_finding_aggregator),
            ("securityhub", "PATCH", r"/findingAggregator/update", self.update_finding_aggregator),
            ("securityhub", "POST", r"/configurationPolicy/create", self.create_configuration_policy),
            ("securityhub", "GET", r"/configurationPolicy/list", self.list_configuration_policies),
            ("securityhub", "GET", r"/configurationPolicy/get/(?P<identifier>[^/]+)", self.get_configuration_policy),
            ("securityhub", "PATCH", r"/configurationPolicy/(?P<identifier>[^/]+)", self.update_configuration_policy),
            ("securityhub", "POST", r"/configurationPolicyAssociation/associate", self.associate_configuration_policy),
            ("securityhub", "POST", r"/configurationPolicyAssociation/get", self.get_configuration_policy_association),
            ("securityhub", "GET", r"/hubv2", self.describe_security_hub_v2),
            ("securityhub", "POST", r"/hubv2", self.enable_security_hub_v2),
            ("securityhub", "DELETE", r"/hubv2", self.disable_security_hub_v2),
        ]
        self.rest = [(service, method, re.compile(path + "/?"), handler) for service, method, path, handler in rest]
        self.targets = {
            "AWSInsightsIndexService.CreateAnomalyMonitor": self.create_anomaly_monitor,
            "AWSInsightsIndexService.GetAnomalyMonitors": self.get_anomaly_monitors,
            "AWSInsightsIndexService.CreateAnomalySubscription": self.create_anomaly_subscription,
            "AWSInsightsIndexService.GetAnomalySubscriptions": self.get_anomaly_subscriptions,
            "AWSInsightsIndexService.GetAnomalies": self.get_anomalies,
            "AWSBudgetServiceGateway.DescribeSubscribersForNotification": self.describe_subscribers_for_notification,
            "AmazonSSM.DescribeInstanceInformation": self.describe_instance_information,
            "AmazonSSM.GetMaintenanceWindow": self.get_maintenance_window,
            "AmazonSSM.DescribeMaintenanceWindows": self.describe_maintenance_windows,
            "AmazonSSM.DescribeMaintenanceWindowTasks": self.describe_maintenance_window_tasks,
            "AmazonSSM.UpdateMaintenanceWindow": self.update_maintenance_window,
            "AmazonSSM.UpdateMaintenanceWindowTarget": self.update_maintenance_window_target,
            "AmazonSSM.UpdateMaintenanceWindowTask": self.update_maintenance_window_task,
            "AmazonSSM.GetMaintenanceWindowTask": self.get_maintenance_window_task,
            "AWSPriceListService.GetProducts": self.get_products,
        }
        # CloudTrail's target prefix: boto3 sends the long form, the Rust SDK the short one.
        for operation, handler in [("GetEventSelectors", self.get_event_selectors), ("LookupEvents", self.lookup_events),
                                   ("DescribeTrails", self.describe_trails), ("GetTrailStatus", self.get_trail_status)]:
            for prefix in ("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.", "CloudTrail_20131101."):
                self.targets[prefix + operation] = handler
        self.seeders = {
            "/guardline-test/access-analyzer/findings": self.seed_analyzer_findings,
            "/guardline-test/guardduty/findings": self.seed_guardduty_findings,
            "/guardline-test/ssm/instance-information": self.seed_instance_information,
            "/guardline-test/ce/declined-subscribers": self.seed_declined_subscribers,
            "/guardline-test/answers": self.seed_answer,
            "/guardline-test/root-credentials": self.seed_root_credentials,
        }

    def reset(self) -> None:
        # (account, region) -> analyzer name -> analyzer
        self.analyzers: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        self.analyzer_findings: dict[str, list[dict[str, Any]]] = {}  # analyzer ARN -> findings
        # (account, region) -> (the hub's SubscribedAt, standards ARN -> subscription)
        self.standards: dict[tuple[str, str], tuple[str | None, dict[str, dict[str, Any]]]] = {}
        self.monitors: dict[str, list[dict[str, Any]]] = {}  # account -> monitors
        self.subscriptions: dict[str, list[dict[str, Any]]] = {}  # account -> subscriptions
        self.guardduty_findings: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        self.guardduty_auto_enable: dict[tuple[str, str], str] = {}  # (admin, region) -> ALL, NEW or NONE
        self.aggregators: dict[tuple[str, str], dict[str, Any]] = {}  # (account, region) -> finding aggregator
        self.hub_policies: dict[str, list[dict[str, Any]]] = {}  # administrator -> configuration policies
        self.hub_associations: dict[tuple[str, str], str] = {}  # (administrator, account) -> policy ID
        self.instances: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.answers: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (account, service) -> answers
        self.trail_events: dict[str, list[dict[str, Any]]] = {}  # account -> CloudTrail management events
        self.reports_generated: dict[str, datetime.datetime] = {}  # account -> last GenerateCredentialReport
        self.hubs_v2: dict[tuple[str, str], dict[str, Any]] = {}  # (account, region) -> the new Security Hub
        self.root_features: dict[str, list[str]] = {}  # organisation ID -> centralised root access features
        self.root_sessions: dict[str, str] = {}  # access key of a root session -> member account
        self.root_credentials: dict[str, dict[str, Any]] = {}  # account -> its root user's credentials

    # ---- dispatch ----

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        if request.method == "POST" and request.path in self.seeders:
            return self.respond(start_response, request, lambda: self.seed(request))
        if self.answers.get((request.account, request.service)):
            answered = self.documented_answer(request, start_response)
            if answered is not None:
                return answered
        if request.service == "sts" and request.method == "POST":
            answered = self.assume_root(request, start_response)
            if answered is not None:
                return answered
        if request.access_key in self.root_sessions:
            return self.root_session(request, start_response)
        if request.service == "iam" and request.method == "POST":
            return self.recording_iam_events(request, start_response)
        if request.method == "POST" and request.path == "/moto-api/reset":
            with self.lock:
                self.reset()
            return self.app(environ, start_response)
        if request.service == "securityhub" and request.method == "POST" and request.path.rstrip("/") == "/accounts":
            return self.enable_security_hub(request, start_response)
        if request.service == "inspector2" and request.method == "POST" and request.path.rstrip("/") == "/enable":
            return self.inspector_enable(request, environ, start_response)
        if request.target in ("AWSOrganizationsV20161128.RegisterDelegatedAdministrator",
                              "AWSOrganizationsV20161128.ListDelegatedAdministrators"):
            answered = self.config_delegated_administrator(request, start_response)
            if answered is not None:
                return answered
        if request.target in DELEGATED_ORGANIZATIONS_READS:
            management = self.delegated_administrator_of(request)
            if management is not None:
                environ["HTTP_X_MOTO_ACCOUNT_ID"] = management
                return self.app(environ, start_response)
        if request.target == "AWSOrganizationsV20161128.EnableAWSServiceAccess":
            answered = self.enable_iam_service_access(request, start_response)
            if answered is not None:
                return answered
        if request.target in self.targets and request.service in ("ce", "budgets", "ssm", "cloudtrail", "pricing"):
            handler = self.targets[request.target]
            return self.respond(start_response, request, lambda: handler(request, request.json()), json_11=True)
        for service, method, path, handler in self.rest:
            match = path.fullmatch(request.path)
            if service == request.service and method == request.method and match:
                return self.respond(start_response, request, lambda: handler(request, **match.groupdict()))
        return self.app(environ, start_response)

    def respond(self, start_response: Callable[..., Any], request: Request, handler: Callable[[], Any],
                json_11: bool = False) -> list[bytes]:
        content_type = JSON_11 if json_11 else "application/json"
        headers = [("Content-Type", content_type), ("x-amzn-RequestId", str(uuid.uuid4()))]
        try:
            if request.service:
                mark_account_as_visited(request.account, request.access_key, request.service, request.region)
            with self.lock:
                status, answer = 200, handler()
        except ApiError as error:
            status = error.status
            if json_11:
                answer = {"__type": error.code, "Message": error.message, **error.extra}
            elif request.service == "securityhub":
                answer = {"Code": error.code, "Message": error.message, **error.extra}
                headers.append(("x-amzn-ErrorType", error.code))
            else:
                answer = {"message": error.message, **error.extra}
                headers.append(("x-amzn-ErrorType", error.code))
        body = json.dumps(answer).encode()
        reasons = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 409: "Conflict"}
        start_response(f"{status} {reasons.get(status, 'Error')}", headers + [("Content-Length", str(len(body)))])
        return [body]

    # ---- documented answers ----

    def documented_answer(self, request: Request, start_response: Callable[..., Any]) -> list[bytes] | None:
        """The newest documented answer that matches the request, if any; the request body is kept for moto
        otherwise."""
        body = get_input_stream(request.environ).read()
        request.environ["wsgi.input"] = BytesIO(body)
        request.environ["CONTENT_LENGTH"] = str(len(body))
        request.environ.pop("HTTP_TRANSFER_ENCODING", None)
        operation, params = operation_of(request, body)
        with self.lock:
            candidates = self.answers.get((request.account, request.service), [])
            answer = next((a for a in reversed(candidates) if answer_matches(a, request, operation, params)), None)
            if answer is None:
                return None
            if answer.get("times") is not None:
                answer["times"] -= 1
                if answer["times"] <= 0:
                    candidates.remove(answer)
        if request.service:
            mark_account_as_visited(request.account, request.access_key, request.service, request.region)
        payload = answer["body"]
        text = payload if isinstance(payload, str) else json.dumps(payload)
        content_type = answer.get("content_type") or (
            JSON_11 if request.target else "text/xml" if isinstance(payload, str) else "application/json")
        headers = [("Content-Type", content_type), ("x-amzn-RequestId", str(uuid.uuid4()))]
        status = int(answer.get("status", 200))
        if status >= 400 and isinstance(payload, dict) and not request.target:
            code = payload.get("__type") or payload.get("Code") or payload.get("code")
            if code:
                headers.append(("x-amzn-ErrorType", code))
        encoded = text.encode()
        start_response(f"{status} {'OK' if status < 400 else 'Error'}",
                       headers + [("Content-Length", str(len(encoded)))])
        return [encoded]

    def seed_answer(self, body: dict[str, Any]) -> None:
        reference = body.get("reference") or ""
        if not reference.startswith("https://docs.aws.amazon.com/"):
            raise ApiError(400, "ValidationException",
                           "a documented answer cites the AWS reference page it follows (https://docs.aws.amazon.com/...)")
        answer = {key: body[key] for key in ("region", "operation", "body")}
        answer.update({key: body[key] for key in ("match", "status", "content_type", "times") if key in body})
        self.answers.setdefault((body["account_id"], body["service"]), []).append(answer)

    # ---- IAM centralised root access ----

    def root_access(self, request: Request, action: str, start_response: Callable[..., Any]) -> list[bytes]:
        """ListOrganizationsFeatures and Enable/DisableOrganizationsRoot* on moto's organisations, as
        https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListOrganizationsFeatures.html describes them:
        the management account sees (and sets) the features; a member gets
        AccountNotManagementOrDelegatedAdministrator, an account outside an organisation OrganizationNotFound."""
        org = organizations_backends[request.account][get_partition(request.region)].org
        member_of = organizations_backends.master_accounts.get(request.account)
        namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

        def answer(status: str, xml: str) -> list[bytes]:
            encoded = xml.encode()
            start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(encoded)))])
            return [encoded]

        def error(code: str, message: str) -> list[bytes]:
            return answer("400 Bad Request", f"<ErrorResponse xmlns=\"{namespace}\"><Error><Type>Sender</Type>"
                                             f"<Code>{code}</Code><Message>{message}</Message></Error>"
                                             f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>")

        if org is None and member_of is None:
            return error("OrganizationNotFound", "No organization is associated with your account.")
        if org is None or org.master_account_id != request.account:
            return error("AccountNotManagementOrDelegatedAdministrator",
                         "The account making the request is not the management account or delegated administrator.")
        services = organizations_backends[request.account][get_partition(request.region)].services
        if not any(service["ServicePrincipal"] == "iam.amazonaws.com" for service in services):
            return error("ServiceAccessNotEnabled", "The trusted access is not enabled.")
        with self.lock:
            features = self.root_features.setdefault(org.id, [])
            wanted = ROOT_ACCESS_ACTIONS[action]
            if action.startswith("Enable") and wanted not in features:
                features.append(wanted)
            if action.startswith("Disable") and wanted in features:
                features.remove(wanted)
            members = "".join(f"<member>{feature}</member>" for feature in features)
        result = f"<OrganizationId>{org.id}</OrganizationId><EnabledFeatures>{members}</EnabledFeatures>"
        return answer("200 OK", f"<{action}Response xmlns=\"{namespace}\"><{action}Result>{result}</{action}Result>"
                                f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
                                f"</{action}Response>")

    def enable_iam_service_access(self, request: Request, start_response: Callable[..., Any]) -> list[bytes] | None:
        """organizations:EnableAWSServiceAccess for `iam.amazonaws.com`, which moto refuses as an unknown
        principal although AWS takes it for centralised root access
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html); other principals go
        to moto, whose body is kept for it."""
        body = get_input_stream(request.environ).read()
        request.environ["wsgi.input"] = BytesIO(body)
        request.environ["CONTENT_LENGTH"] = str(len(body))
        request.environ.pop("HTTP_TRANSFER_ENCODING", None)
        if (json.loads(body or b"{}").get("ServicePrincipal")) != "iam.amazonaws.com":
            return None
        backend = organizations_backends[request.account][get_partition(request.region)]
        if backend.org is None or backend.org.master_account_id != request.account:
            return None

        def handler() -> dict[str, Any]:
            if not any(service["ServicePrincipal"] == "iam.amazonaws.com" for service in backend.services):
                backend.services.append({"ServicePrincipal": "iam.amazonaws.com",
                                         "DateEnabled": datetime.datetime.now(datetime.timezone.utc).timestamp()})
            return {}
        return self.respond(start_response, request, handler, json_11=True)

    def config_delegated_administrator(self, request: Request,
                                       start_response: Callable[..., Any]) -> list[bytes] | None:
        """Register/ListDelegatedAdministrators for `config.amazonaws.com` (AWS Config aggregators' delegated
        administrator, https://docs.aws.amazon.com/config/latest/developerguide/set-up-aggregator-cli.html), which
        moto refuses as an unknown principal; other principals go to moto, whose body is kept for it."""
        from moto.organizations.models import FakeDelegatedAdministrator
        body = get_input_stream(request.environ).read()
        request.environ["wsgi.input"] = BytesIO(body)
        request.environ["CONTENT_LENGTH"] = str(len(body))
        request.environ.pop("HTTP_TRANSFER_ENCODING", None)
        params = json.loads(body or b"{}")
        if params.get("ServicePrincipal") != "config.amazonaws.com":
            return None
        backend = organizations_backends[request.account][get_partition(request.region)]
        if backend.org is None or backend.org.master_account_id != request.account:
            return None
        principal = "config.amazonaws.com"

        def handler() -> dict[str, Any]:
            if request.target.endswith("ListDelegatedAdministrators"):
                return {"DelegatedAdministrators": [
                    {"Id": admin.account.id, "Arn": admin.account.arn, "Name": admin.account.name,
                     "Email": admin.account.email, "Status": admin.account.status}
                    for admin in backend.admins if principal in admin.services]}
            account = backend.get_account_by_id(params["AccountId"])
            admin = next((admin for admin in backend.admins if admin.account.id == account.id), None)
            if admin is None:
                admin = FakeDelegatedAdministrator(account)
                backend.admins.append(admin)
            if principal in admin.services:
                raise ApiError(400, "AccountAlreadyRegisteredException",
                               "The provided account is already a delegated administrator for your organization.")
            admin.services[principal] = {"ServicePrincipal": principal,
                                         "DelegationEnabledDate": datetime.datetime.now(datetime.timezone.utc).timestamp()}
            return {}
        return self.respond(start_response, request, handler, json_11=True)

    # ---- Amazon Inspector organisations ----

    def inspector_enable(self, request: Request, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """inspector2:Enable by the delegated administrator for member accounts: moto records the members'
        status in the administrator's own backend only, so a member's BatchGetAccountStatus never sees it; AWS
        enables the scans in each member (https://docs.aws.amazon.com/inspector/v2/APIReference/API_Enable.html),
        so the members' backends are updated too. moto answers the call itself."""
        body = get_input_stream(request.environ).read()
        request.environ["wsgi.input"] = BytesIO(body)
        request.environ["CONTENT_LENGTH"] = str(len(body))
        request.environ.pop("HTTP_TRANSFER_ENCODING", None)
        answer = self.app(environ, start_response)
        params = json.loads(body or b"{}")
        management, _ = organizations_backends.master_accounts.get(request.account, (None, None))
        if management is not None:
            admins = inspector2_backends[management][request.region].admin_accounts
            if admins.get(request.account) == "ENABLED":
                with self.lock:
                    for member in params.get("accountIds") or []:
                        if member != request.account:
                            inspector2_backends[member][request.region].enable([member], params.get("resourceTypes") or [])
        return answer

    # ---- Root sessions ----

    def seed_root_credentials(self, body: dict[str, Any]) -> None:
        self.root_credentials[body["account_id"]] = body

    @staticmethod
    def xml(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
        encoded = text.encode()
        start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(encoded)))])
        return [encoded]

    def assume_root(self, request: Request, start_response: Callable[..., Any]) -> list[bytes] | None:
        """STS AssumeRoot (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html): the
        management account of an organisation with RootCredentialsManagement opens a root session in a member;
        anything else is AccessDenied. Other STS requests go to moto."""
        body = get_input_stream(request.environ).read()
        request.environ["wsgi.input"] = BytesIO(body)
        request.environ["CONTENT_LENGTH"] = str(len(body))
        request.environ.pop("HTTP_TRANSFER_ENCODING", None)
        form = {key: values[0] for key, values in parse_qs(body.decode(errors="replace")).items()}
        if form.get("Action") != "AssumeRoot":
            return None
        namespace = "https://sts.amazonaws.com/doc/2011-06-15/"
        target = form.get("TargetPrincipal", "").removeprefix("arn:aws:iam::").split(":")[0]
        member_of = organizations_backends.master_accounts.get(target)
        org = organizations_backends[request.account][get_partition(request.region)].org
        allowed = (member_of is not None and member_of[0] == request.account and org is not None
                   and "RootCredentialsManagement" in self.root_features.get(org.id, []))
        if not allowed:
            return self.xml(start_response, "403 Forbidden",
                            f"<ErrorResponse xmlns=\"{namespace}\"><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                            f"<Message>{request.account} may not open a root session in {target}</Message></Error>"
                            f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>")
        key = "ASIA" + uuid.uuid4().hex[:16].upper()
        with self.lock:
            self.root_sessions[key] = target
        expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.xml(start_response, "200 OK",
                        f"<AssumeRootResponse xmlns=\"{namespace}\"><AssumeRootResult><Credentials>"
                        f"<AccessKeyId>{key}</AccessKeyId><SecretAccessKey>{uuid.uuid4().hex}</SecretAccessKey>"
                        f"<SessionToken>{uuid.uuid4().hex}</SessionToken><Expiration>{expires}</Expiration>"
                        f"</Credentials><SourceIdentity></SourceIdentity></AssumeRootResult>"
                        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></AssumeRootResponse>")

    def root_session(self, request: Request, start_response: Callable[..., Any]) -> list[bytes]:
        """An IAM call in a root session, about the member's root user."""
        namespace = "https://iam.amazonaws.com/doc/2010-05-08/"
        body = get_input_stream(request.environ).read()
        form = {key: values[0] for key, values in parse_qs(body.decode(errors="replace")).items()}
        action = form.get("Action", "")
        state = self.root_credentials.get(self.root_sessions[request.access_key], {})
        created = "2024-01-01T00:00:00Z"

        def result(inner: str) -> list[bytes]:
            return self.xml(start_response, "200 OK",
                            f"<{action}Response xmlns=\"{namespace}\"><{action}Result>{inner}</{action}Result>"
                            f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>")

        def error(status: str, code: str, message: str) -> list[bytes]:
            return self.xml(start_response, status,
                            f"<ErrorResponse xmlns=\"{namespace}\"><Error><Type>Sender</Type><Code>{code}</Code>"
                            f"<Message>{message}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>")

        if request.service != "iam" or form.get("UserName"):
            return error("403 Forbidden", "AccessDenied", "a root session may only audit the root user's credentials")
        if action == "GetLoginProfile":
            if not state.get("password"):
                return error("404 Not Found", "NoSuchEntity", "Login Profile for the root user cannot be found.")
            return result(f"<LoginProfile><UserName>root</UserName><CreateDate>{created}</CreateDate></LoginProfile>")
        if action == "ListAccessKeys":
            keys = "".join(f"<member><UserName>root</UserName><AccessKeyId>{k['id']}</AccessKeyId>"
                           f"<Status>{k.get('status', 'Active')}</Status><CreateDate>{created}</CreateDate></member>"
                           for k in state.get("access_keys", []))
            return result(f"<AccessKeyMetadata>{keys}</AccessKeyMetadata><IsTruncated>false</IsTruncated>")
        if action == "ListMFADevices":
            devices = "".join(f"<member><UserName>root</UserName><SerialNumber>{serial}</SerialNumber>"
                              f"<EnableDate>{created}</EnableDate></member>" for serial in state.get("mfa_devices", []))
            return result(f"<MFADevices>{devices}</MFADevices><IsTruncated>false</IsTruncated>")
        if action == "ListSigningCertificates":
            certificates = "".join(f"<member><UserName>root</UserName><CertificateId>CERT{n}</CertificateId>"
                                   f"<CertificateBody>-----BEGIN CERTIFICATE-----</CertificateBody><Status>Active</Status>"
                                   f"<UploadDate>{created}</UploadDate></member>"
                                   for n in range(int(state.get("signing_certificates", 0))))
            return result(f"<Certificates>{certificates}</Certificates><IsTruncated>false</IsTruncated>")
        return error("403 Forbidden", "AccessDenied", f"{action} is not allowed by the IAMAuditRootUserCredentials task policy")

    # ---- CloudTrail event history ----

    def recording_iam_events(self, request: Request, start_response: Callable[..., Any]) -> Any:
        """moto's answer to an IAM request; a successful CreateAccessKey is also recorded as a CloudTrail event."""
        body = get_input_stream(request.environ).read()
        request.environ["wsgi.input"] = BytesIO(body)
        request.environ["CONTENT_LENGTH"] = str(len(body))
        request.environ.pop("HTTP_TRANSFER_ENCODING", None)
        form = {key: values[0] for key, values in parse_qs(body.decode(errors="replace")).items()}
        action = form.get("Action")
        if action in ROOT_ACCESS_ACTIONS:
            return self.root_access(request, action, start_response)
        if action not in ("CreateAccessKey", "GenerateCredentialReport", "GetCredentialReport"):
            return self.app(request.environ, start_response)
        status: list[str] = []
        headers_seen: list[Any] = []

        def recording_start_response(line: str, headers: Any, *rest: Any) -> Any:
            status.append(line)
            headers_seen.append((headers, rest))
            return None

        answer = b"".join(self.app(request.environ, recording_start_response))
        ok = bool(status) and status[0].startswith("200")
        if ok and action == "GenerateCredentialReport":
            with self.lock:
                self.reports_generated[request.account] = datetime.datetime.now(datetime.timezone.utc)
        if ok and action == "GetCredentialReport" and request.account in self.reports_generated:
            # moto answers GeneratedTime 2015-02-02T20:02:02Z whatever the report; AWS gives the time the
            # report was generated (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetCredentialReport.html),
            # and moto generates one on every GenerateCredentialReport.
            generated = self.reports_generated[request.account].strftime("%Y-%m-%dT%H:%M:%SZ")
            answer = re.sub(rb"<GeneratedTime>[^<]*</GeneratedTime>",
                            f"<GeneratedTime>{generated}</GeneratedTime>".encode(), answer)
        headers, rest = headers_seen[0] if headers_seen else ([], ())
        headers = [(name, str(len(answer)) if name.lower() == "content-length" else value) for name, value in headers]
        start_response(status[0] if status else "500 Error", headers, *rest)
        if ok and action == "CreateAccessKey":
            key_id = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", answer)
            user = form.get("UserName", "")
            when = datetime.datetime.now(datetime.timezone.utc)
            record = {
                "eventVersion": "1.09",
                "userIdentity": {"type": "AssumedRole", "accountId": request.account,
                                 "arn": f"arn:aws:sts::{request.account}:assumed-role/guardline-test/guardline-test"},
                "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey", "awsRegion": "us-east-1",
                "sourceIPAddress": "127.0.0.1", "userAgent": request.environ.get("HTTP_USER_AGENT", ""),
                "requestParameters": {"userName": user} if user else None,
                "responseElements": {"accessKey": {
                    "accessKeyId": key_id.group(1).decode() if key_id else "", "status": "Active", "userName": user}},
                "eventID": str(uuid.uuid4()), "readOnly": False, "eventType": "AwsApiCall",
                "managementEvent": True, "recipientAccountId": request.account, "eventCategory": "Management",
            }
            with self.lock:
                self.trail_events.setdefault(request.account, []).append({
                    "EventId": record["eventID"], "EventName": "CreateAccessKey", "ReadOnly": "false",
                    "EventTime": when.timestamp(), "EventSource": "iam.amazonaws.com",
                    "Username": "guardline-test", "Resources": [{"ResourceType": "AWS::IAM::AccessKey",
                                                                  "ResourceName": record["responseElements"]["accessKey"]["accessKeyId"]}],
                    "CloudTrailEvent": json.dumps(record),
                })
        return [answer]

    def lookup_events(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        """LookupEvents as
        https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html describes it: newest
        first, at most one lookup attribute, at most 50 per page."""
        attributes = body.get("LookupAttributes") or []
        if len(attributes) > 1:
            raise ApiError(400, "InvalidLookupAttributesException", "Currently the list can contain only one item.")
        events = self.trail_events.get(request.account, []) if request.region == "us-east-1" else []
        fields = {"EventName": "EventName", "Username": "Username", "EventSource": "EventSource", "EventId": "EventId"}
        for attribute in attributes:
            field = fields.get(attribute.get("AttributeKey"))
            if field is None:
                raise ApiError(400, "InvalidLookupAttributesException", f"unsupported key {attribute.get('AttributeKey')}")
            events = [event for event in events if event[field] == attribute.get("AttributeValue")]
        start, end = body.get("StartTime"), body.get("EndTime")
        if start is not None and end is not None and float(start) > float(end):
            raise ApiError(400, "InvalidTimeRangeException", "StartTime is after EndTime.")
        events = [event for event in events
                  if (start is None or event["EventTime"] >= float(start))
                  and (end is None or event["EventTime"] <= float(end))]
        events = sorted(events, key=lambda event: event["EventTime"], reverse=True)
        items, token = page(events, body.get("NextToken"), body.get("MaxResults"), default=50)
        return {"Events": items, **({"NextToken": token} if token else {})}

    # ---- seeding ----

    def seed(self, request: Request) -> dict[str, str]:
        body = request.json()
        try:
            self.seeders[request.path](body)
        except KeyError as missing:
            raise ApiError(400, "ValidationException", f"missing {missing} in the seed body")
        return {"status": "ok"}

    def seed_analyzer_findings(self, body: dict[str, Any]) -> None:
        analyzer = self.analyzers.get((body["account_id"], body["region"]), {}).get(body["analyzer_name"])
        if analyzer is None:
            raise ApiError(404, "ResourceNotFoundException", f"no analyzer {body['analyzer_name']}")
        self.analyzer_findings.setdefault(analyzer["arn"], []).extend(body["findings"])

    def seed_guardduty_findings(self, body: dict[str, Any]) -> None:
        account, region = body["account_id"], body["region"]
        detectors = list(guardduty_backends[account][region].detectors)
        detector = body.get("detector_id") or (detectors[0] if detectors else None)
        if detector not in detectors:
            raise ApiError(400, "BadRequestException", f"no detector {detector} in {account}/{region}")
        self.guardduty_findings.setdefault((account, region, detector), []).extend(body["findings"])

    def seed_instance_information(self, body: dict[str, Any]) -> None:
        self.instances.setdefault((body["account_id"], body["region"]), []).extend(body["instances"])

    def seed_declined_subscribers(self, body: dict[str, Any]) -> None:
        declined = 0
        for subscription in self.subscriptions.get(body["account_id"], []):
            for subscriber in subscription["Subscribers"]:
                if subscriber.get("Address") == body["address"]:
                    subscriber["Status"] = "DECLINED"
                    declined += 1
        if not declined:
            raise ApiError(400, "ValidationException", f"no anomaly subscriber {body['address']} in {body['account_id']}")

    # ---- IAM Access Analyzer ----

    def region_analyzers(self, request: Request) -> dict[str, dict[str, Any]]:
        return self.analyzers.setdefault((request.account, request.region), {})

    def analyzer(self, request: Request, name: str) -> dict[str, Any]:
        analyzer = self.region_analyzers(request).get(name)
        if analyzer is None:
            raise ApiError(404, "ResourceNotFoundException", f"Analyzer {name} not found.",
                           resourceId=name, resourceType="AWS::AccessAnalyzer::Analyzer")
        return analyzer

    def create_analyzer(self, request: Request) -> dict[str, Any]:
        body = request.json()
        name, kind = body.get("analyzerName"), body.get("type")
        if not name or kind not in ANALYZER_TYPES:
            raise ApiError(400, "ValidationException", "analyzerName and a valid type are required.",
                           reason="fieldValidationFailed", fieldList=[])
        if kind.startswith("ORGANIZATION"):
            self.check_organisation_analyzer(request)
        analyzers = self.region_analyzers(request)
        if name in analyzers:
            raise ApiError(409, "ConflictException", f"Analyzer {name} already exists.",
                           resourceId=name, resourceType="AWS::AccessAnalyzer::Analyzer")
        arn = f"arn:{get_partition(request.region)}:access-analyzer:{request.region}:{request.account}:analyzer/{name}"
        analyzer = {"arn": arn, "name": name, "type": kind, "createdAt": now_iso(), "status": "ACTIVE",
                    "tags": body.get("tags", {})}
        if body.get("configuration"):
            analyzer["configuration"] = body["configuration"]
        analyzers[name] = analyzer
        return {"arn": arn}

    @staticmethod
    def check_organisation_analyzer(request: Request) -> None:
        """An analyzer whose zone of trust is the organisation is created by its management account or Access
        Analyzer's delegated administrator, once Access Analyzer has trusted access
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-settings.html)."""
        own = organizations_backends[request.account][get_partition(request.region)]
        management = own.org.master_account_id if own.org and own.org.master_account_id == request.account else \
            organizations_backends.master_accounts.get(request.account, (None, None))[0]
        if management is None:
            raise ApiError(400, "ValidationException", "The account is not a member of an organization.",
                           reason="other", fieldList=[])
        backend = organizations_backends[management][get_partition(request.region)]
        if not any(service["ServicePrincipal"] == "access-analyzer.amazonaws.com" for service in backend.services):
            raise ApiError(400, "ValidationException", "Trusted access is not enabled for IAM Access Analyzer.",
                           reason="other", fieldList=[])
        delegated = [admin.account.id for admin in backend.admins if "access-analyzer.amazonaws.com" in admin.services]
        if request.account != management and request.account not in delegated:
            raise ApiError(400, "ValidationException",
                           "You must be the management account or a delegated administrator of the organization.",
                           reason="other", fieldList=[])

    def list_analyzers(self, request: Request) -> dict[str, Any]:
        kind = request.arg("type")
        listed = [a for a in self.region_analyzers(request).values() if kind is None or a["type"] == kind]
        items, token = page(listed, request.arg("nextToken"), request.arg("maxResults"))
        return {"analyzers": items, **({"nextToken": token} if token else {})}

    def get_analyzer(self, request: Request, name: str) -> dict[str, Any]:
        return {"analyzer": self.analyzer(request, name)}

    def delete_analyzer(self, request: Request, name: str) -> dict[str, Any]:
        analyzer = self.analyzer(request, name)
        del self.region_analyzers(request)[name]
        self.analyzer_findings.pop(analyzer["arn"], None)
        return {}

    def list_analyzer_findings(self, request: Request) -> dict[str, Any]:
        body = request.json()
        arn = body.get("analyzerArn", "")
        if not any(a["arn"] == arn for a in self.region_analyzers(request).values()):
            raise ApiError(404, "ResourceNotFoundException", f"Analyzer {arn} not found.",
                           resourceId=arn, resourceType="AWS::AccessAnalyzer::Analyzer")
        criteria = body.get("filter") or {}
        listed = [f for f in self.analyzer_findings.get(arn, [])
                  if all(analyzer_criterion(dig(f, key), c) for key, c in criteria.items())]
        items, token = page(listed, body.get("nextToken"), body.get("maxResults"))
        return {"findings": items, **({"nextToken": token} if token else {})}

    # ---- Security Hub ----

    def subscriptions_of(self, request: Request) -> dict[str, dict[str, Any]]:
        """The region's standards subscriptions; InvalidAccessException when the hub is not enabled."""
        hub = securityhub_backends[request.account][request.region]
        if not hub.enabled:
            raise ApiError(401, "InvalidAccessException",
                           f"Account {request.account} is not subscribed to AWS Security Hub")
        key = (request.account, request.region)
        enabled_at, subscriptions = self.standards.get(key, (None, {}))
        if enabled_at != hub.enabled_at:  # the hub was (re-)enabled since: a fresh hub has no subscriptions
            subscriptions = {}
            self.standards[key] = (hub.enabled_at, subscriptions)
        return subscriptions

    def subscribe(self, request: Request, standards_arn: str, standards_input: dict[str, str]) -> dict[str, Any]:
        path = standards_arn.split(":standards/", 1)[-1].split(":ruleset/", 1)[-1]
        subscription = {
            "StandardsSubscriptionArn": f"arn:{get_partition(request.region)}:securityhub:{request.region}:"
                                        f"{request.account}:subscription/{path}",
            "StandardsArn": standards_arn,
            "StandardsInput": standards_input,
            "StandardsStatus": "READY",
            "StandardsControlsUpdatable": "READY_FOR_UPDATES",
        }
        self.subscriptions_of(request)[standards_arn] = subscription
        return subscription

    def enable_security_hub(self, request: Request, start_response: Callable[..., Any]) -> Any:
        """moto's EnableSecurityHub, then AWS's default standards unless `EnableDefaultStandards` is false."""
        body = get_input_stream(request.environ).read()
        request.environ["wsgi.input"] = BytesIO(body)
        request.environ["CONTENT_LENGTH"] = str(len(body))
        request.environ.pop("HTTP_TRANSFER_ENCODING", None)
        hub = securityhub_backends[request.account][request.region]
        before = hub.enabled_at
        answer = self.app(request.environ, start_response)
        wants_defaults = (json.loads(body) if body.strip() else {}).get("EnableDefaultStandards", True)
        if hub.enabled and hub.enabled_at != before and wants_defaults:
            with self.lock:
                for standard in standards_catalog(request.region):
                    if standard["EnabledByDefault"]:
                        self.subscribe(request, standard["StandardsArn"], {})
        return answer

    def describe_standards(self, request: Request) -> dict[str, Any]:
        items, token = page(standards_catalog(request.region), request.arg("NextToken"), request.arg("MaxResults"))
        return {"Standards": items, **({"NextToken": token} if token else {})}

    def get_enabled_standards(self, request: Request) -> dict[str, Any]:
        body = request.json()
        listed = list(self.subscriptions_of(request).values())
        if body.get("StandardsSubscriptionArns"):
            listed = [s for s in listed if s["StandardsSubscriptionArn"] in body["StandardsSubscriptionArns"]]
        items, token = page(listed, body.get("NextToken"), body.get("MaxResults"))
        return {"StandardsSubscriptions": items, **({"NextToken": token} if token else {})}

    def batch_enable_standards(self, request: Request) -> dict[str, Any]:
        body = request.json()
        self.subscriptions_of(request)
        known = {standard["StandardsArn"] for standard in standards_catalog(request.region)}
        requests = body.get("StandardsSubscriptionRequests") or []
        if not requests:
            raise ApiError(400, "InvalidInputException", "StandardsSubscriptionRequests must not be empty.")
        for wanted in requests:
            if wanted.get("StandardsArn") not in known:
                raise ApiError(400, "InvalidInputException", f"Standard {wanted.get('StandardsArn')} is not supported.")
        return {"StandardsSubscriptions": [
            self.subscribe(request, wanted["StandardsArn"], wanted.get("StandardsInput") or {}) for wanted in requests
        ]}

    # ---- Price List ----

    def get_products(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        """pricing:GetProducts (moto has no Price List API): an empty price list, as AWS answers a filter no
        product matches (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html);
        a test that needs prices seeds them as a documented answer."""
        if body.get("ServiceCode") != "AmazonEC2":
            raise ApiError(400, "InvalidParameterException", "This emulation knows AmazonEC2 only.")
        return {"FormatVersion": "aws_v1", "PriceList": []}

    # ---- Security Hub organisations and central configuration ----

    @staticmethod
    def hub_org_config(account: str) -> tuple[str, dict[str, Any]] | tuple[None, None]:
        """The organisation of `account` (its management account) and moto's Security Hub configuration of it."""
        backend = organizations_backends[account]["aws"]
        org = backend.org
        if org is None:
            management, _ = organizations_backends.master_accounts.get(account, (None, None))
            org = organizations_backends[management]["aws"].org if management else None
        if org is None:
            return None, None
        configs = type(securityhub_backends[account]["us-east-1"])._org_configs
        config = configs.setdefault(org.id, {"admin_account_id": None, "auto_enable": False,
                                             "auto_enable_standards": "DEFAULT",
                                             "configuration": {"ConfigurationType": "LOCAL", "Status": "ENABLED",
                                                               "StatusMessage": ""}})
        return org.master_account_id, config

    def hub_administrator(self, request: Request) -> dict[str, Any]:
        """moto's organisation configuration, when the caller is Security Hub's delegated administrator."""
        _, config = self.hub_org_config(request.account)
        if config is None or config["admin_account_id"] != request.account:
            raise ApiError(403, "AccessDeniedException",
                           "You don't have permission to perform this action. Only the delegated administrator can.")
        return config

    def list_security_hub_admins(self, request: Request) -> dict[str, Any]:
        """https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_ListOrganizationAdminAccounts.html, from
        the administrator moto's EnableOrganizationAdminAccount keeps; the management account only."""
        management, config = self.hub_org_config(request.account)
        if management != request.account:
            raise ApiError(403, "AccessDeniedException", "Only the organization's management account can do this.")
        admin = config["admin_account_id"]
        return {"AdminAccounts": [{"AccountId": admin, "Status": "ENABLED"}] if admin else []}

    def update_security_hub_organization(self, request: Request) -> dict[str, Any]:
        """https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_UpdateOrganizationConfiguration.html:
        the administrator only; CENTRAL needs the home region's finding aggregator, AutoEnable false and
        AutoEnableStandards NONE (https://docs.aws.amazon.com/securityhub/latest/userguide/start-central-configuration.html).
        moto insists on the output-only `Status` in the request; AWS does not."""
        config = self.hub_administrator(request)
        body = request.json()
        wanted = (body.get("OrganizationConfiguration") or {}).get("ConfigurationType")
        if wanted == "CENTRAL":
            if (request.account, request.region) not in self.aggregators:
                raise ApiError(400, "ValidationException",
                               "Central configuration needs a finding aggregator in the home Region.")
            if body.get("AutoEnable") or body.get("AutoEnableStandards", "DEFAULT") != "NONE":
                raise ApiError(400, "ValidationException",
                               "AutoEnable must be false and AutoEnableStandards NONE when ConfigurationType is CENTRAL.")
        if wanted in ("CENTRAL", "LOCAL"):
            config["configuration"] = {"ConfigurationType": wanted, "Status": "ENABLED", "StatusMessage": ""}
        if "AutoEnable" in body:
            config["auto_enable"] = body["AutoEnable"]
        if "AutoEnableStandards" in body:
            config["auto_enable_standards"] = body["AutoEnableStandards"]
        return {}

    def aggregator_of(self, request: Request, arn: str | None = None) -> dict[str, Any]:
        found = self.aggregators.get((request.account, request.region))
        if found is None or (arn is not None and found["FindingAggregatorArn"] != arn):
            raise ApiError(404, "ResourceNotFoundException", "The finding aggregator does not exist.")
        return found

    def create_finding_aggregator(self, request: Request) -> dict[str, Any]:
        """https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_CreateFindingAggregator.html"""
        if (request.account, request.region) in self.aggregators:
            raise ApiError(400, "InvalidInputException", "A finding aggregator already exists in this Region.")
        body = request.json()
        aggregator = {
            "FindingAggregatorArn": f"arn:{get_partition(request.region)}:securityhub:{request.region}:"
                                    f"{request.account}:finding-aggregator/{uuid.uuid4()}",
            "FindingAggregationRegion": request.region,
            "RegionLinkingMode": body.get("RegionLinkingMode"),
            "Regions": body.get("Regions") or [],
        }
        self.aggregators[(request.account, request.region)] = aggregator
        return aggregator

    def list_finding_aggregators(self, request: Request) -> dict[str, Any]:
        found = self.aggregators.get((request.account, request.region))
        return {"FindingAggregators": [{"FindingAggregatorArn": found["FindingAggregatorArn"]}] if found else []}

    def get_finding_aggregator(self, request: Request, arn: str) -> dict[str, Any]:
        return self.aggregator_of(request, arn)

    def update_finding_aggregator(self, request: Request) -> dict[str, Any]:
        body = request.json()
        found = self.aggregator_of(request, body.get("FindingAggregatorArn"))
        found["RegionLinkingMode"] = body.get("RegionLinkingMode")
        found["Regions"] = body.get("Regions") or []
        return found

    def policy_of(self, request: Request, identifier: str) -> dict[str, Any]:
        for policy in self.hub_policies.get(request.account, []):
            if identifier in (policy["Id"], policy["Arn"]):
                return policy
        raise ApiError(404, "ResourceNotFoundException", f"Configuration policy {identifier} does not exist.")

    def central(self, request: Request) -> None:
        """Configuration policies are the administrator's, in the home Region, under central configuration."""
        config = self.hub_administrator(request)
        if config["configuration"]["ConfigurationType"] != "CENTRAL":
            raise ApiError(400, "ValidationException", "The organization does not use central configuration.")

    def create_configuration_policy(self, request: Request) -> dict[str, Any]:
        """https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_CreateConfigurationPolicy.html"""
        self.central(request)
        body = request.json()
        policies = self.hub_policies.setdefault(request.account, [])
        if any(policy["Name"] == body.get("Name") for policy in policies):
            raise ApiError(409, "ResourceConflictException", f"A configuration policy named {body.get('Name')} exists.")
        policy_id = str(uuid.uuid4())
        policy = {
            "Arn": f"arn:{get_partition(request.region)}:securityhub:{request.region}:{request.account}:"
                   f"configuration-policy/{policy_id}",
            "Id": policy_id, "Name": body.get("Name"), "Description": body.get("Description", ""),
            "ConfigurationPolicy": body.get("ConfigurationPolicy"), "CreatedAt": now_iso(), "UpdatedAt": now_iso(),
        }
        policies.append(policy)
        return policy

    def list_configuration_policies(self, request: Request) -> dict[str, Any]:
        self.central(request)
        return {"ConfigurationPolicySummaries": [
            {key: policy[key] for key in ("Arn", "Id", "Name", "Description", "UpdatedAt")}
            | {"ServiceEnabled": policy["ConfigurationPolicy"]["SecurityHub"].get("ServiceEnabled")}
            for policy in self.hub_policies.get(request.account, [])]}

    def get_configuration_policy(self, request: Request, identifier: str) -> dict[str, Any]:
        self.central(request)
        return self.policy_of(request, identifier)

    def update_configuration_policy(self, request: Request, identifier: str) -> dict[str, Any]:
        """https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_UpdateConfigurationPolicy.html: the
        accounts associated with it are configured again."""
        self.central(request)
        policy = self.policy_of(request, identifier)
        body = request.json()
        policy["ConfigurationPolicy"] = body.get("ConfigurationPolicy", policy["ConfigurationPolicy"])
        policy["UpdatedAt"] = now_iso()
        for (admin, account), associated in self.hub_associations.items():
            if admin == request.account and associated == policy["Id"]:
                self.configure_member(request, account, policy)
        return policy

    def configure_member(self, request: Request, account: str, policy: dict[str, Any]) -> None:
        """What a configuration policy does to an account: Security Hub enabled in the home Region and every
        linked one, with the policy's standards (the home Region's ARNs, in each Region)."""
        aggregator = self.aggregators.get((request.account, request.region)) or {}
        regions = [request.region] + [r for r in aggregator.get("Regions", []) if r != request.region]
        settings = policy["ConfigurationPolicy"]["SecurityHub"]
        for region in regions:
            hub = securityhub_backends[account][region]
            if not settings.get("ServiceEnabled"):
                continue
            hub.enable_security_hub(enable_default_standards=False)
            member = type("Member", (), {"account": account, "region": region})()
            for standard_arn in settings.get("EnabledStandardIdentifiers") or []:
                regional = re.sub(r"^(arn:[^:]+:securityhub:)[^:]*", rf"\g<1>{region}", standard_arn)
                self.subscribe(member, regional, {})

    def associate_configuration_policy(self, request: Request) -> dict[str, Any]:
        """https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_StartConfigurationPolicyAssociation.html
        (an account target; AWS applies it asynchronously, here at once)."""
        self.central(request)
        body = request.json()
        policy = self.policy_of(request, body.get("ConfigurationPolicyIdentifier", ""))
        account = (body.get("Target") or {}).get("AccountId")
        if not account:
            raise ApiError(400, "InvalidInputException", "This emulation associates account targets only.")
        self.hub_associations[(request.account, account)] = policy["Id"]
        self.configure_member(request, account, policy)
        return {"ConfigurationPolicyId": policy["Id"], "TargetId": account, "TargetType": "ACCOUNT",
                "AssociationType": "APPLIED", "AssociationStatus": "SUCCESS", "UpdatedAt": now_iso()}

    def get_configuration_policy_association(self, request: Request) -> dict[str, Any]:
        """https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetConfigurationPolicyAssociation.html:
        an account nobody associated inherits the root's, self-managed unless set."""
        self.central(request)
        account = ((request.json().get("Target")) or {}).get("AccountId")
        policy_id = self.hub_associations.get((request.account, account))
        return {"ConfigurationPolicyId": policy_id or "SELF_MANAGED_SECURITY_HUB", "TargetId": account,
                "TargetType": "ACCOUNT", "AssociationType": "APPLIED" if policy_id else "INHERITED",
                "AssociationStatus": "SUCCESS", "UpdatedAt": now_iso()}

    # ---- Cost Explorer anomaly detection ----

    def create_anomaly_monitor(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        monitor = dict(body.get("AnomalyMonitor") or {})
        if not monitor.get("MonitorName") or monitor.get("MonitorType") not in ("DIMENSIONAL", "CUSTOM"):
            raise ApiError(400, "ValidationException", "AnomalyMonitor needs a MonitorName and a MonitorType.")
        per_service = monitor["MonitorType"] == "DIMENSIONAL" and monitor.get("MonitorDimension") == "SERVICE"
        if per_service and any(existing.get("MonitorType") == "DIMENSIONAL" and existing.get("MonitorDimension") == "SERVICE"
                               for existing in self.monitors.get(request.account, [])):
            # One AWS services monitor per account
            # (https://aws.amazon.com/aws-cost-management/aws-cost-anomaly-detection/faqs/): AWS refuses another.
            raise ApiError(400, "ValidationException", "Limit exceeded on dimensional spend monitor creation")
        arn = f"arn:{get_partition(request.region)}:ce::{request.account}:anomalymonitor/{uuid.uuid4()}"
        today = datetime.date.today().isoformat()
        monitor.update(MonitorArn=arn, CreationDate=today, LastUpdatedDate=today, DimensionalValueCount=0)
        self.monitors.setdefault(request.account, []).append(monitor)
        return {"MonitorArn": arn}

    def get_anomaly_monitors(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        listed = self.monitors.get(request.account, [])
        if body.get("MonitorArnList"):
            known = {monitor["MonitorArn"] for monitor in listed}
            for arn in body["MonitorArnList"]:
                if arn not in known:
                    raise ApiError(400, "UnknownMonitorException", f"Monitor {arn} does not exist.")
            listed = [monitor for monitor in listed if monitor["MonitorArn"] in body["MonitorArnList"]]
        items, token = page(listed, body.get("NextPageToken"), body.get("MaxResults"))
        return {"AnomalyMonitors": items, **({"NextPageToken": token} if token else {})}

    def create_anomaly_subscription(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        subscription = dict(body.get("AnomalySubscription") or {})
        required = ("SubscriptionName", "MonitorArnList", "Subscribers")
        if not all(subscription.get(key) for key in required) or subscription.get("Frequency") not in FREQUENCIES:
            raise ApiError(400, "ValidationException",
                           "AnomalySubscription needs a SubscriptionName, MonitorArnList, Subscribers and Frequency.")
        known = {monitor["MonitorArn"] for monitor in self.monitors.get(request.account, [])}
        for arn in subscription["MonitorArnList"]:
            if arn not in known:
                raise ApiError(400, "UnknownMonitorException", f"Monitor {arn} does not exist.")
        arn = f"arn:{get_partition(request.region)}:ce::{request.account}:anomalysubscription/{uuid.uuid4()}"
        subscription.update(SubscriptionArn=arn, AccountId=request.account)
        # A new subscriber receives the alerts until its recipient declines them (seeded here).
        subscription["Subscribers"] = [{**s, "Status": "CONFIRMED"} for s in subscription["Subscribers"]]
        self.subscriptions.setdefault(request.account, []).append(subscription)
        return {"SubscriptionArn": arn}

    def get_anomaly_subscriptions(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        listed = self.subscriptions.get(request.account, [])
        if body.get("SubscriptionArnList"):
            listed = [s for s in listed if s["SubscriptionArn"] in body["SubscriptionArnList"]]
        if body.get("MonitorArn"):
            listed = [s for s in listed if body["MonitorArn"] in s["MonitorArnList"]]
        items, token = page(listed, body.get("NextPageToken"), body.get("MaxResults"))
        return {"AnomalySubscriptions": items, **({"NextPageToken": token} if token else {})}

    def get_anomalies(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        if not (body.get("DateInterval") or {}).get("StartDate"):
            raise ApiError(400, "ValidationException", "DateInterval.StartDate is required.")
        return {"Anomalies": []}

    # ---- Budgets ----

    def describe_subscribers_for_notification(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        """The subscribers moto stored with the budget's notification (moto cannot return them itself)."""
        budgets = budgets_backends[request.account][get_partition(request.region)].budgets
        budget = budgets[body.get("AccountId", "")].get(body.get("BudgetName", ""))
        wanted = body.get("Notification") or {}

        def same(stored: dict[str, Any]) -> bool:
            keys = ("NotificationType", "ComparisonOperator")
            return (all(stored.get(key) == wanted.get(key) for key in keys)
                    and float(stored.get("Threshold", 0)) == float(wanted.get("Threshold", 0))
                    and stored.get("ThresholdType", "PERCENTAGE") == wanted.get("ThresholdType", "PERCENTAGE"))

        found = [n for n in budget.notifications if same(n.details)] if budget else []
        if not found:
            raise ApiError(400, "NotFoundException", "Unable to describe subscribers - the notification doesn't exist.")
        items, token = page(list(found[0].subscribers), body.get("NextToken"), body.get("MaxResults"))
        return {"Subscribers": items, **({"NextToken": token} if token else {})}

    # ---- Organizations delegated administrators ----

    @staticmethod
    def delegated_administrator_of(request: Request) -> str | None:
        """The management account of the caller's organisation when the caller is one of its delegated
        administrators (https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html:
        "can be called only from the organization's management account or by a member account that is a
        delegated administrator"); designating GuardDuty's or Security Hub's administrator registers it as
        one (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html)."""
        management, _ = organizations_backends.master_accounts.get(request.account, (None, None))
        if management is None or management == request.account:
            return None
        backend = organizations_backends[management][get_partition(request.region)]
        if any(admin.account.id == request.account for admin in backend.admins):
            return management
        if any(request.account in regional.admin_account_ids for regional in guardduty_backends[management].values()):
            return management
        _, hub = Extensions.hub_org_config(request.account)
        return management if hub and hub.get("admin_account_id") == request.account else None

    # ---- GuardDuty ----

    def detector_findings(self, request: Request, detector: str) -> list[dict[str, Any]]:
        """The detector's findings and, for GuardDuty's delegated administrator, its organisation members'
        in the region too (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_accounts.html: the
        administrator account can view and manage its member accounts' findings)."""
        if detector not in guardduty_backends[request.account][request.region].detectors:
            raise ApiError(400, "BadRequestException",
                           "The request is rejected because the input detectorId is not owned by the current account.")
        own = self.guardduty_findings.get((request.account, request.region, detector), [])
        management, _ = organizations_backends.master_accounts.get(request.account, (None, None))
        admins = guardduty_backends[management][request.region].admin_account_ids if management else []
        if request.account not in admins:
            return own
        members = {account for account, (owner, _) in organizations_backends.master_accounts.items()
                   if owner == management and account != request.account}
        members.add(management)
        theirs = [finding for (account, region, _), findings in self.guardduty_findings.items()
                  if account in members and region == request.region for finding in findings]
        return own + theirs

    def list_guardduty_findings(self, request: Request, detector: str) -> dict[str, Any]:
        body = request.json()
        findings = self.detector_findings(request, detector)
        criteria = (body.get("findingCriteria") or {}).get("criterion") or {}
        listed = [f for f in findings if guardduty_matches(f, criteria)]
        sort = body.get("sortCriteria") or {}
        if sort.get("attributeName"):
            listed.sort(key=lambda f: guardduty_value(f, sort["attributeName"]) or 0,
                        reverse=sort.get("orderBy") == "DESC")
        items, token = page(listed, body.get("nextToken"), body.get("maxResults"), default=50)
        return {"findingIds": [f["id"] for f in items], **({"nextToken": token} if token else {})}

    def get_guardduty_findings(self, request: Request, detector: str) -> dict[str, Any]:
        wanted = request.json().get("findingIds") or []
        by_id = {f["id"]: f for f in self.detector_findings(request, detector)}
        return {"findings": [by_id[i] for i in wanted if i in by_id]}

    def guardduty_administrator(self, request: Request, detector: str) -> str:
        """The caller's organisation's management account, when the caller is GuardDuty's delegated
        administrator there (moto's EnableOrganizationAdminAccount, kept in the management account's backend)
        and owns `detector`; otherwise AWS's BadRequestException."""
        self.detector_findings(request, detector)
        management, _ = organizations_backends.master_accounts.get(request.account, (None, None))
        admins = guardduty_backends[management][request.region].admin_account_ids if management else []
        if request.account not in admins:
            raise ApiError(400, "BadRequestException",
                           "The request is rejected because the current account is not the delegated administrator.")
        return management

    def describe_guardduty_organization(self, request: Request, detector: str) -> dict[str, Any]:
        """https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DescribeOrganizationConfiguration.html"""
        self.guardduty_administrator(request, detector)
        members = self.guardduty_auto_enable.get((request.account, request.region), "NONE")
        return {"autoEnable": members != "NONE", "autoEnableOrganizationMembers": members,
                "memberAccountLimitReached": False}

    def update_guardduty_organization(self, request: Request, detector: str) -> dict[str, Any]:
        """https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateOrganizationConfiguration.html:
        with ALL, every member account of the organisation has GuardDuty enabled (AWS takes up to 24 hours;
        here at once): each active member without a detector in the region gets one. The management account
        is not a member of its organisation's GuardDuty until the administrator adds it, so it is left alone."""
        management = self.guardduty_administrator(request, detector)
        body = request.json()
        members = body.get("autoEnableOrganizationMembers")
        if members is None and "autoEnable" in body:
            members = "NEW" if body["autoEnable"] else "NONE"
        if members not in ("ALL", "NEW", "NONE"):
            raise ApiError(400, "BadRequestException", "autoEnableOrganizationMembers must be ALL, NEW or NONE.")
        self.guardduty_auto_enable[(request.account, request.region)] = members
        if members == "ALL":
            org = organizations_backends[management][get_partition(request.region)]
            for account in org.accounts:
                if account.id in (management, request.account) or account.status != "ACTIVE":
                    continue
                backend = guardduty_backends[account.id][request.region]
                if not backend.detectors:
                    backend.create_detector(enable=True, finding_publishing_frequency="SIX_HOURS",
                                            data_sources={}, tags={}, features=[])
        return {}

    # ---- SSM ----

    def describe_instance_information(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        listed = self.instances.get((request.account, request.region), [])
        items, token = page(listed, body.get("NextToken"), body.get("MaxResults"), default=50)
        return {"InstanceInformationList": items, **({"NextToken": token} if token else {})}

    # ---- SSM maintenance windows (moto's own objects, updated in place) ----

    def window(self, request: Request, window_id: Any) -> FakeMaintenanceWindow:
        window = ssm_backends[request.account][request.region].windows.get(window_id)
        if window is None:
            raise ApiError(400, "DoesNotExistException", f"Maintenance window {window_id} does not exist")
        return window

    @staticmethod
    def window_json(window: FakeMaintenanceWindow, detail: bool = False) -> dict[str, Any]:
        """moto's window answer with the `Enabled` (and, for GetMaintenanceWindow, `AllowUnassociatedTargets`)
        that UpdateMaintenanceWindow set; moto itself always answers Enabled true."""
        answer = {**window.to_json(), "Enabled": getattr(window, "enabled", True)}
        if detail and hasattr(window, "allow_unassociated_targets"):
            answer["AllowUnassociatedTargets"] = window.allow_unassociated_targets
        return {key: value for key, value in answer.items() if value is not None}

    @staticmethod
    def task_json(task: FakeMaintenanceWindowTask, detail: bool = False) -> dict[str, Any]:
        """A task as AWS shows it: the type under `Type` (moto's to_json says `TaskType`, which its serializer
        drops), invocation parameters only in UpdateMaintenanceWindowTask's answer."""
        answer = {
            "WindowId": task.window_id,
            "WindowTaskId": task.window_task_id,
            "TaskArn": task.task_arn,
            "Type": task.task_type,
            "Targets": task.targets,
            "TaskParameters": task.task_parameters,
            "Priority": task.priority,
            "LoggingInfo": task.logging_info,
            "ServiceRoleArn": task.service_role_arn,
            "MaxConcurrency": task.max_concurrency,
            "MaxErrors": task.max_errors,
            "Name": task.name,
            "Description": task.description,
            "CutoffBehavior": task.cutoff_behavior,
            "AlarmConfiguration": task.alarm_configurations,
        }
        if detail:
            del answer["Type"]
            answer["TaskInvocationParameters"] = task.task_invocation_parameters
        return {key: value for key, value in answer.items() if value is not None}

    @staticmethod
    def update(thing: Any, body: dict[str, Any], fields: dict[str, str], required: tuple[str, ...]) -> None:
        """Sets the attributes (`fields`: API name -> moto attribute) that `body` gives. With `Replace`, the
        `required` fields must be given and the other fields not given become null, as in AWS."""
        replace = bool(body.get("Replace"))
        missing = [name for name in required if body.get(name) is None]
        if replace and missing:
            raise ApiError(400, "ValidationException", f"{', '.join(missing)} required when Replace is true")
        for name, attribute in fields.items():
            if name in body:
                setattr(thing, attribute, body[name])
            elif replace and name not in required:
                setattr(thing, attribute, None)

    def get_maintenance_window(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        return self.window_json(self.window(request, body.get("WindowId")), detail=True)

    def describe_maintenance_windows(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        windows = ssm_backends[request.account][request.region].describe_maintenance_windows(body.get("Filters"))
        for wanted in body.get("Filters") or []:
            if wanted.get("Key") == "Enabled":
                windows = [w for w in windows if str(getattr(w, "enabled", True)).lower() in wanted["Values"]]
        items, token = page([self.window_json(w) for w in windows], body.get("NextToken"), body.get("MaxResults"))
        return {"WindowIdentities": items, **({"NextToken": token} if token else {})}

    def describe_maintenance_window_tasks(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        tasks = [self.task_json(task) for task in self.window(request, body.get("WindowId")).tasks.values()]
        keys = {"WindowTaskId": "WindowTaskId", "TaskArn": "TaskArn", "Priority": "Priority", "TaskType": "Type"}
        for wanted in body.get("Filters") or []:
            key = keys.get(wanted.get("Key"), wanted.get("Key"))
            tasks = [task for task in tasks if str(task.get(key)) in wanted.get("Values", [])]
        items, token = page(tasks, body.get("NextToken"), body.get("MaxResults"))
        return {"Tasks": items, **({"NextToken": token} if token else {})}

    def update_maintenance_window(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        window = self.window(request, body.get("WindowId"))
        fields = {
            "Name": "name", "Description": "description", "StartDate": "start_date", "EndDate": "end_date",
            "Schedule": "schedule", "ScheduleTimezone": "schedule_timezone", "ScheduleOffset": "schedule_offset",
            "Duration": "duration", "Cutoff": "cutoff", "AllowUnassociatedTargets": "allow_unassociated_targets",
            "Enabled": "enabled",
        }
        required = ("Name", "Schedule", "Duration", "Cutoff", "AllowUnassociatedTargets")
        self.update(window, body, {k: v for k, v in fields.items() if k != "Enabled"}, required)
        if "Enabled" in body:  # not nulled by Replace: a window is enabled unless told otherwise
            window.enabled = bool(body["Enabled"])
        return self.window_json(window, detail=True)

    def update_maintenance_window_target(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        window = self.window(request, body.get("WindowId"))
        target: FakeMaintenanceWindowTarget | None = window.targets.get(body.get("WindowTargetId"))
        if target is None:
            raise ApiError(400, "DoesNotExistException",
                           f"Maintenance window target {body.get('WindowTargetId')} does not exist")
        fields = {"Targets": "targets", "OwnerInformation": "owner_information", "Name": "name",
                  "Description": "description"}
        self.update(target, body, fields, ("Targets",))
        answer = {"WindowId": window.id, "WindowTargetId": target.window_target_id, "Targets": target.targets,
                  "OwnerInformation": target.owner_information, "Name": target.name,
                  "Description": target.description}
        return {key: value for key, value in answer.items() if value is not None}

    def update_maintenance_window_task(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        window = self.window(request, body.get("WindowId"))
        task = window.tasks.get(body.get("WindowTaskId"))
        if task is None:
            raise ApiError(400, "DoesNotExistException",
                           f"Maintenance window task {body.get('WindowTaskId')} does not exist")
        fields = {
            "Targets": "targets", "TaskArn": "task_arn", "ServiceRoleArn": "service_role_arn",
            "TaskParameters": "task_parameters", "TaskInvocationParameters": "task_invocation_parameters",
            "Priority": "priority", "MaxConcurrency": "max_concurrency", "MaxErrors": "max_errors",
            "LoggingInfo": "logging_info", "Name": "name", "Description": "description",
            "CutoffBehavior": "cutoff_behavior", "AlarmConfiguration": "alarm_configurations",
        }
        self.update(task, body, fields, ("TaskArn",))
        return self.task_json(task, detail=True)

    def get_maintenance_window_task(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        """GetMaintenanceWindowTask: the task with its `TaskInvocationParameters` and type under `TaskType`, as
        https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetMaintenanceWindowTask.html shows."""
        window = self.window(request, body.get("WindowId"))
        task = window.tasks.get(body.get("WindowTaskId"))
        if task is None:
            raise ApiError(400, "DoesNotExistException",
                           f"Maintenance window task {body.get('WindowTaskId')} does not exist")
        return {**self.task_json(task, detail=True), "TaskType": task.task_type}

    # ---- CloudTrail ----

    @staticmethod
    def organisation_trails(account: str, region: str) -> list[Any]:
        """The organisation trails a member account sees in `region`: its management account's, multi-region or
        homed there (DescribeTrails, https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html:
        "the organization trail ... is returned in a member account's results")."""
        management, _ = organizations_backends.master_accounts.get(account, (None, None))
        if management is None:
            return []
        return [trail for backend in cloudtrail_backends[management].values() for trail in backend.trails.values()
                if trail.is_org_trail and (trail.is_multi_region or trail.region_name == region)]

    def trail_backend(self, request: Request, name: str) -> Any:
        """The backend that answers for trail `name`: the caller's, or, for the ARN of its organisation's trail,
        the owner's in the trail's home region (a member reads an organisation trail's status and selectors by
        ARN: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html)."""
        parts = name.split(":")
        if len(parts) >= 6 and parts[4] != request.account:
            for trail in self.organisation_trails(request.account, request.region):
                if trail.arn == name:
                    return cloudtrail_backends[parts[4]][trail.region_name]
        return cloudtrail_backends[request.account][request.region]

    def describe_trails(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        """moto's DescribeTrails, plus the organisation's trails in a member account."""
        backend = cloudtrail_backends[request.account][request.region]
        shadow = body.get("includeShadowTrails", True)
        trails = list(backend.describe_trails(shadow))
        if shadow:
            trails += self.organisation_trails(request.account, request.region)
        wanted = body.get("trailNameList")
        if wanted:
            trails = [trail for trail in trails if trail.trail_name in wanted or trail.arn in wanted]
        return {"trailList": [trail.description(include_region=True) for trail in trails]}

    def get_trail_status(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("Name", "")
        try:
            return self.trail_backend(request, name).get_trail_status(name).description()
        except Exception as error:  # moto's TrailNotFoundException and friends
            raise ApiError(400, getattr(error, "code", "TrailNotFoundException"), str(error))

    def get_event_selectors(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        """moto's GetEventSelectors, with AWS's default selector for a trail that was never given any: "By
        default, trails ... log all management events" (CloudTrail user guide, Logging management events,
        https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html)."""
        backend = self.trail_backend(request, body.get("TrailName", ""))
        try:
            arn, selectors, advanced = backend.get_event_selectors(trail_name=body.get("TrailName", ""))
        except Exception as error:  # moto's TrailNotFoundException and friends
            raise ApiError(400, getattr(error, "code", "TrailNotFoundException"), str(error))
        if not selectors and not advanced:
            selectors = DEFAULT_EVENT_SELECTORS
        answer: dict[str, Any] = {"TrailARN": arn}
        if advanced:
            answer["AdvancedEventSelectors"] = advanced
        else:
            answer["EventSelectors"] = selectors
        return answer

    # ---- Resource Groups ----

    def list_group_resources(self, request: Request) -> dict[str, Any]:
        """ListGroupResources for a tag-query group (`TAG_FILTERS_1_0`): the account's EC2 instances in the
        region that match its query (resource types and every tag filter), as
        https://docs.aws.amazon.com/ResourceGroups/latest/APIReference/API_ListGroupResources.html lists them."""
        body = request.json()
        name = (body.get("Group") or body.get("GroupName") or "").rsplit("/", 1)[-1]
        group = resourcegroups_backends[request.account][request.region].groups.by_name.get(name)
        if group is None:
            raise ApiError(404, "NotFoundException", f"Cannot find group {name}.")
        query = group.resource_query or {}
        if query.get("Type") != "TAG_FILTERS_1_0":
            raise ApiError(400, "BadRequestException", "the test emulator resolves TAG_FILTERS_1_0 groups only")
        criteria = json.loads(query.get("Query") or "{}")
        types = criteria.get("ResourceTypeFilters") or ["AWS::AllSupported"]
        if not {"AWS::AllSupported", "AWS::EC2::Instance"} & set(types):
            return {"Resources": [], "ResourceIdentifiers": []}
        found = []
        for reservation in ec2_backends[request.account][request.region].reservations.values():
            for instance in reservation.instances:
                tags = {tag["key"]: tag["value"] for tag in instance.get_tags()}
                if all(f["Key"] in tags and (not f.get("Values") or tags[f["Key"]] in f["Values"])
                       for f in criteria.get("TagFilters") or []):
                    arn = f"arn:{get_partition(request.region)}:ec2:{request.region}:{request.account}:instance/{instance.id}"
                    found.append({"ResourceArn": arn, "ResourceType": "AWS::EC2::Instance"})
        items, token = page(found, body.get("NextToken"), body.get("MaxResults"), default=50)
        return {
            "Resources": [{"Identifier": item, "Status": {}} for item in items],
            "ResourceIdentifiers": items,
            **({"NextToken": token} if token else {}),
        }

    # ---- the new AWS Security Hub ----

    def describe_security_hub_v2(self, request: Request) -> dict[str, Any]:
        """https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_DescribeSecurityHubV2.html"""
        hub = self.hubs_v2.get((request.account, request.region))
        if hub is None:
            raise ApiError(404, "ResourceNotFoundException", "The new Security Hub is not enabled in this account and Region.")
        return hub

    def enable_security_hub_v2(self, request: Request) -> dict[str, Any]:
        arn = f"arn:{get_partition(request.region)}:securityhub:{request.region}:{request.account}:hubv2/default"
        hub = self.hubs_v2.setdefault((request.account, request.region), {"HubV2Arn": arn, "SubscribedAt": now_iso()})
        return {"HubV2Arn": hub["HubV2Arn"]}

    def disable_security_hub_v2(self, request: Request) -> dict[str, Any]:
        self.hubs_v2.pop((request.account, request.region), None)
        return {}
