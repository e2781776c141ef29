"""Deterministic seeder of an emulated AWS account on moto server, for the benchmark.

`seed(endpoint, size)` builds the account with boto3 from a `random.Random(seed)`: the same size and seed give
the same account (same names, tags, ports, public/private choices; moto picks the resource IDs).

Sizes (`SIZES`):
- small: 10 IAM users, 3 regions (ap-northeast-1, us-east-1, eu-west-1), 5 security groups and 3 instances
  per region, 5 buckets — the account bench/scan_small.py always measured;
- large: 2,000 IAM users, the 17 commercial regions of the `aws` partition that are enabled by default in
  every account (`REGIONS_17`; opt-in regions such as af-south-1 or me-south-1 are left out), 500 security
  groups, 300 instances, 200 buckets.

Both sizes have: users with a mix of console password / virtual MFA / access keys, groups with inline
policies and memberships, roles, security groups open to the world on admin ports or not, instances tagged
Environment=dev|prod, public (policy or ACL) and private (Block Public Access) buckets, GuardDuty, AWS Config
and Security Hub enabled in some regions only, a budget with an e-mail alert, an account alias, a password
policy and one multi-region CloudTrail trail that is logging.
"""

import json
import random
import sys
import time
from dataclasses import dataclass

import boto3
from botocore.config import Config

REGIONS_3 = ["ap-northeast-1", "us-east-1", "eu-west-1"]
REGIONS_17 = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-south-1",
]


@dataclass(frozen=True)
class Size:
    name: str
    users: int
    regions: list
    security_groups: int  # in all
    instances: int  # in all
    buckets: int
    groups: int
    roles: int


SIZES = {
    "small": Size("small", users=10, regions=REGIONS_3, security_groups=15, instances=9, buckets=5, groups=2,
                  roles=2),
    "large": Size("large", users=2000, regions=REGIONS_17, security_groups=500, instances=300, buckets=200,
                  groups=20, roles=50),
}

HOME = "ap-northeast-1"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole",
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})
READ_ONLY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["ec2:Describe*", "s3:List*"], "Resource": "*"}]})


class Progress:
    def __init__(self, out=sys.stderr):
        self.out, self.start, self.last = out, time.perf_counter(), 0.0

    def __call__(self, what: str, done: int, total: int, force: bool = False) -> None:
        now = time.perf_counter()
        if force or done == total or now - self.last > 5:
            self.last = now
            print(f"  seed [{now - self.start:6.1f} s] {what}: {done}/{total}", file=self.out, flush=True)


def spread(total: int, regions: list) -> dict:
    """`total` items over the regions as evenly as possible (the first regions get the remainder)."""
    base, extra = divmod(total, len(regions))
    return {region: base + (1 if index < extra else 0) for index, region in enumerate(regions)}


def seed(endpoint: str, size: Size, rng_seed: int = 42, out=sys.stderr) -> dict:
    """Seeds the account; returns a summary of what was made."""
    rng = random.Random(rng_seed)
    progress = Progress(out)
    config = Config(retries={"max_attempts": 1})

    def client(service, region=HOME):
        return boto3.client(service, region_name=region, endpoint_url=endpoint, config=config,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    summary = {"users": size.users, "regions": len(size.regions)}
    iam = client("iam")
    iam.create_account_alias(AccountAlias=f"bench-{size.name}")
    iam.update_account_password_policy(MinimumPasswordLength=8, RequireNumbers=True)

    groups = [f"group{index:02d}" for index in range(size.groups)]
    for group in groups:
        iam.create_group(GroupName=group)
        iam.put_group_policy(GroupName=group, PolicyName="read-only", PolicyDocument=READ_ONLY)
    for index in range(size.roles):
        iam.create_role(RoleName=f"role{index:03d}", AssumeRolePolicyDocument=TRUST)
    progress("groups and roles", size.groups + size.roles, size.groups + size.roles)

    console = mfa = keys = 0
    for index in range(size.users):
        name = f"user{index:04d}"
        iam.create_user(UserName=name)
        if rng.random() < 0.6:
            console += 1
            iam.create_login_profile(UserName=name, Password="Bench-Password-123")
            if rng.random() < 0.5:
                mfa += 1
                serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
                iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                                      AuthenticationCode2="654321")
        if rng.random() < 0.4:
            keys += 1
            iam.create_access_key(UserName=name)
        if groups and rng.random() < 0.5:
            iam.add_user_to_group(GroupName=rng.choice(groups), UserName=name)
        progress("IAM users", index + 1, size.users)
    summary.update(console_users=console, mfa_users=mfa, users_with_keys=keys)

    sg_per_region = spread(size.security_groups, size.regions)
    instances_per_region = spread(size.instances, size.regions)
    open_groups = 0
    for number, region in enumerate(size.regions):
        ec2 = client("ec2", region)
        for index in range(sg_per_region[region]):
            group = ec2.create_security_group(GroupName=f"sg{index:03d}", Description="bench")["GroupId"]
            port = rng.choice([22, 443, 3389, 5432, 8080])
            cidr = rng.choice(["0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/8"])
            open_groups += cidr == "0.0.0.0/0" and port in (22, 3389)
            ec2.authorize_security_group_ingress(GroupId=group, IpProtocol="tcp", FromPort=port, ToPort=port,
                                                 CidrIp=cidr)
        count = instances_per_region[region]
        prod = sum(rng.random() < 0.3 for _ in range(count))
        for env, n in (("prod", prod), ("dev", count - prod)):
            if n:
                ec2.run_instances(ImageId="ami-12c6146b", MinCount=n, MaxCount=n, InstanceType="t3.micro",
                                  TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                      {"Key": "Environment", "Value": env},
                                      {"Key": "Name", "Value": f"{env}-{region}"}]}])
        progress("regions (security groups, instances)", number + 1, len(size.regions))
    summary.update(security_groups=size.security_groups, world_open_admin_groups=open_groups,
                   instances=size.instances)

    # Detective services in some regions only: GuardDuty in about half, Config and Security Hub in a third.
    guardduty = [r for r in size.regions if rng.random() < 0.5] or size.regions[:1]
    config_regions = [r for r in size.regions if rng.random() < 0.34] or size.regions[:1]
    hub = [r for r in size.regions if rng.random() < 0.34] or size.regions[:1]
    s3 = client("s3")
    s3.create_bucket(Bucket=f"bench-{size.name}-logs", CreateBucketConfiguration={"LocationConstraint": HOME})
    for region in guardduty:
        client("guardduty", region).create_detector(Enable=True)
    for region in config_regions:
        cfg = client("config", region)
        cfg.put_configuration_recorder(ConfigurationRecorder={
            "name": "default", "roleARN": "arn:aws:iam::123456789012:role/role000",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region == HOME}})
        cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": f"bench-{size.name}-logs"})
        cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    for region in hub:
        client("securityhub", region).enable_security_hub()
    summary.update(guardduty_regions=len(guardduty), config_regions=len(config_regions),
                   security_hub_regions=len(hub))
    progress("GuardDuty, Config, Security Hub", 1, 1)

    public = 0
    for index in range(size.buckets):
        region = size.regions[index % len(size.regions)]
        name = f"bench-{size.name}-{index:03d}"
        regional = client("s3", region)
        if region == "us-east-1":
            regional.create_bucket(Bucket=name)
        else:
            regional.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        kind = index % 10  # 0: public by policy, 3: public by ACL, 8-9: no Block Public Access, else private
        if kind == 0:
            public += 1
            regional.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*"}]}))
        elif kind == 3:
            public += 1
            regional.put_bucket_acl(Bucket=name, ACL="public-read")
        elif kind < 8:
            regional.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True})
        progress("buckets", index + 1, size.buckets)
    summary.update(buckets=size.buckets, public_buckets=public)

    client("budgets", "us-east-1").create_budget(
        AccountId="123456789012",
        Budget={"BudgetName": "monthly", "BudgetLimit": {"Amount": "1000", "Unit": "USD"},
                "TimeUnit": "MONTHLY", "BudgetType": "COST"},
        NotificationsWithSubscribers=[{
            "Notification": {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN",
                             "Threshold": 80, "ThresholdType": "PERCENTAGE"},
            "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "ops@example.com"}]}])
    trail = client("cloudtrail")
    trail.create_trail(Name="bench", S3BucketName=f"bench-{size.name}-logs", IsMultiRegionTrail=True)
    trail.start_logging(Name="bench")
    progress("budget and trail", 1, 1)
    return summary
