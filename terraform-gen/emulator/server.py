"""
An emulated AWS account for the infrastructure tests: moto, in process, plus the patches the
generated stack needs to apply, re-plan with no changes and destroy with the real aws provider.

Each patch fixes one place where moto 5.2.1 differs from AWS in a way Terraform or our deploy
scripts notice (a waiter that never finishes, an attribute that is not stored, so every plan
shows a change). The layer is written against exactly that moto version: another version, or a
patched attribute that is gone, stops the server at start with the reason, so an upgrade shows
up as a failure and never as a ten-minute hang.

Usage: python3 server.py [port]   (0 or nothing: a free port)
Prints "PORT <n>" on stdout once it answers, and serves until stdin closes.
"""

import copy
import sys

MOTO_VERSION = "5.2.1"

try:
    import moto
except ImportError:
    sys.exit("emulator: moto is not installed (pip install moto[server]==" + MOTO_VERSION + ")")

if moto.__version__ != MOTO_VERSION:
    sys.exit(f"emulator: the patch layer is written for moto {MOTO_VERSION}, found {moto.__version__}")

from moto import settings
from moto.acm import models as acm_models
from moto.acm import responses as acm_responses
from moto.applicationautoscaling import models as aas_models
from moto.applicationautoscaling import responses as aas_responses
from moto.awslambda import models as lambda_models
from moto.cognitoidp import models as cognito_models
from moto.cognitoidp import responses as cognito_responses
from moto.core.utils import utcnow
from moto.ec2.models import security_groups as ec2_security_groups
from moto.ec2.models import subnets as ec2_subnets
from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.moto_api._internal import mock_random
from moto.route53 import models as route53_models


def original(owner, name):
    """The attribute a patch replaces; stops the server when moto no longer has it."""
    if name not in vars(owner):
        sys.exit(f"emulator: moto {MOTO_VERSION} patch target {owner.__name__}.{name} is missing")
    return vars(owner)[name]


def replace(owner, name, build):
    """Replace owner.name with build(previous)."""
    setattr(owner, name, build(original(owner, name)))


# ACM: certificates requested with DNS validation are issued at once (moto waits 60 s).
if not hasattr(settings, "ACM_VALIDATION_WAIT"):
    sys.exit("emulator: moto.settings.ACM_VALIDATION_WAIT is missing")
settings.ACM_VALIDATION_WAIT = 0


# Route 53: hosted zone ids start with Z, as AWS's do (our variable validation requires it).
def _zone_id(generate):
    return lambda self, existing_ids=None, tags=None: "Z" + generate(self, existing_ids, tags)[1:]


replace(route53_models.HostedZoneIdentifier, "generate", _zone_id)


# EC2: a subnet's IPv6 association state was wrapped twice ({"state": {"State": ...}}), so
# the provider's waiter never saw "associated" and subnet creation hung.
def _ipv6_association_set(_previous):
    def association_set(self):
        return [
            {
                "ipv6CidrBlock": a["ipv6CidrBlock"],
                "associationId": a["associationId"],
                "ipv6CidrBlockState": dict(a["ipv6CidrBlockState"]),
            }
            for a in self.ipv6_cidr_block_associations.values()
            if a["ipv6CidrBlockState"]["State"] == "associated"
        ]

    return property(association_set)


replace(ec2_subnets.Subnet, "ipv6_cidr_block_association_set", _ipv6_association_set)


# EC2: a rule that references another security group kept its description only in the
# source-group entry, so DescribeSecurityGroupRules returned none (a diff on every plan).
def _rule_description(_previous):
    return property(lambda self: self.ip_range.get("Description") or self.source_group.get("Description"))


replace(ec2_security_groups.SecurityGroupRule, "description", _rule_description)


# ACM: the requested KeyAlgorithm was ignored (always RSA_2048), so Terraform replaced an
# EC_prime256v1 certificate on every plan.
def _request_certificate(request):
    def request_certificate(self):
        response = request(self)
        algorithm = self._get_param("KeyAlgorithm")
        if algorithm:
            arn = acm_responses.json.loads(response)["CertificateArn"]
            self.acm_backend.get_certificate(arn).requested_key_algorithm = algorithm
        return response

    return request_certificate


def _describe_certificate(describe):
    def describe_certificate(self):
        result = describe(self)
        algorithm = getattr(self, "requested_key_algorithm", None)
        if algorithm:
            result["Certificate"]["KeyAlgorithm"] = algorithm
        return result

    return describe_certificate


replace(acm_responses.AWSCertificateManagerResponse, "request_certificate", _request_certificate)
replace(acm_models.CertBundle, "describe", _describe_certificate)


# Application Auto Scaling: no tagging API at all; the provider reads tags after creating a
# scalable target and retried ListTagsForResource for ten minutes.
_scalable_target_tags: dict[str, dict[str, str]] = {}


def _register_scalable_target(register):
    def register_scalable_target(self):
        response = register(self)
        arn = aas_responses.json.loads(response)["ScalableTargetARN"]
        _scalable_target_tags.setdefault(arn, {}).update(self._get_param("Tags") or {})
        return response

    return register_scalable_target


def _deregister_scalable_target(deregister):
    def deregister_scalable_target(self):
        backend = self.applicationautoscaling_backend
        for target in backend.describe_scalable_targets(
            self._get_param("ServiceNamespace"), [self._get_param("ResourceId")], self._get_param("ScalableDimension")
        ):
            _scalable_target_tags.pop(target.arn, None)
        return deregister(self)

    return deregister_scalable_target


def _known_target(self, arn):
    backend = self.applicationautoscaling_backend
    for by_resource in backend.targets.values():
        for target in by_resource.values():
            if target.arn == arn:
                return True
    return False


def _not_found(arn):
    body = {"__type": "ResourceNotFoundException", "Message": f"No scalable target found for {arn}"}
    return aas_responses.json.dumps(body), {"status": 400}


def _list_tags_for_resource(self):
    arn = self._get_param("ResourceARN")
    if not _known_target(self, arn):
        return _not_found(arn)
    return aas_responses.json.dumps({"Tags": _scalable_target_tags.get(arn, {})})


def _tag_resource(self):
    arn = self._get_param("ResourceARN")
    if not _known_target(self, arn):
        return _not_found(arn)
    _scalable_target_tags.setdefault(arn, {}).update(self._get_param("Tags") or {})
    return "{}"


def _untag_resource(self):
    arn = self._get_param("ResourceARN")
    if not _known_target(self, arn):
        return _not_found(arn)
    tags = _scalable_target_tags.setdefault(arn, {})
    for key in self._get_param("TagKeys") or []:
        tags.pop(key, None)
    return "{}"


replace(aas_responses.ApplicationAutoScalingResponse, "register_scalable_target", _register_scalable_target)
replace(aas_responses.ApplicationAutoScalingResponse, "deregister_scalable_target", _deregister_scalable_target)
original(aas_models.ApplicationAutoscalingBackend, "describe_scalable_targets")
for _name, _method in {
    "list_tags_for_resource": _list_tags_for_resource,
    "tag_resource": _tag_resource,
    "untag_resource": _untag_resource,
}.items():
    if _name in vars(aas_responses.ApplicationAutoScalingResponse):
        sys.exit(f"emulator: moto {MOTO_VERSION} now has application-autoscaling {_name}; drop the patch")
    setattr(aas_responses.ApplicationAutoScalingResponse, _name, _method)


# Lambda: LoggingConfig was not stored (a diff on every plan, and with publish = true a new
# version on every apply), and PublishVersion after re-uploading identical code published a
# new version, where Lambda returns the latest one.
def _default_logging_config(function):
    return {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function.function_name}"}


def _merged_logging_config(function, requested):
    config = {**getattr(function, "logging_config", _default_logging_config(function)), **(requested or {})}
    if config.get("LogFormat") == "JSON":
        config.setdefault("ApplicationLogLevel", "INFO")
        config.setdefault("SystemLogLevel", "INFO")
    else:
        config.pop("ApplicationLogLevel", None)
        config.pop("SystemLogLevel", None)
    return config


def _function_init(init):
    def __init__(self, account_id, spec, region, version=1):
        init(self, account_id, spec, region, version)
        self.logging_config = _merged_logging_config(self, spec.get("LoggingConfig"))

    return __init__


def _function_configuration(get_configuration):
    def configuration(self, on_create=False):
        config = get_configuration(self, on_create)
        config["LoggingConfig"] = copy.deepcopy(self.logging_config)
        return config

    return configuration


def _update_configuration(update):
    def update_configuration(self, config_updates):
        if "LoggingConfig" in config_updates:
            self.logging_config = _merged_logging_config(self, config_updates["LoggingConfig"])
        return update(self, config_updates)

    return update_configuration


def _update_function_code(update):
    def update_function_code(self, updated_spec):
        before, pending = self.code_sha_256, self.code_or_config_updated
        result = update(self, updated_spec)
        if self.code_sha_256 == before:
            self.code_or_config_updated = pending
        return result

    return update_function_code


replace(lambda_models.LambdaFunction, "__init__", _function_init)
replace(lambda_models.LambdaFunction, "get_configuration", _function_configuration)
replace(lambda_models.LambdaFunction, "update_configuration", _update_configuration)
replace(lambda_models.LambdaFunction, "update_function_code", _update_function_code)


# ECS: CreateService dropped healthCheckGracePeriodSeconds, enableECSManagedTags,
# availabilityZoneRebalancing and the deployment configuration (diffs on every plan), and
# UpdateService never started a new deployment, so a rollout could not be observed.
_SERVICE_SETTINGS = {
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "enableECSManagedTags": "enable_ecs_managed_tags",
    "enableExecuteCommand": "enable_execute_command",
    "availabilityZoneRebalancing": "availability_zone_rebalancing",
    "deploymentConfiguration": "deployment_configuration",
}


def _service_settings(self, service):
    for param, attribute in _SERVICE_SETTINGS.items():
        value = self._get_param(param)
        if value is not None:
            setattr(service, attribute, value)


def _create_service(create):
    def create_service(self):
        result = create(self)
        _service_settings(self, self.ecs_backend._get_service(self._get_param("cluster", "default"), self._get_param("serviceName")))
        return result

    return create_service


def _update_service(update):
    def update_service(self):
        service = self.ecs_backend._get_service(self._get_param("cluster", "default"), self._get_param("service"))
        before = service.task_definition
        result = update(self)
        _service_settings(self, service)
        changed = service.task_definition != before
        if (changed or self._get_param("forceNewDeployment")) and service.deployment_controller["type"] == "ECS":
            now = utcnow()
            previous = service.deployments[0] if service.deployments else {}
            deployment_id = f"ecs-svc/{mock_random.randint(0, 32**12)}"
            service.deployments = [
                {
                    **previous,
                    "id": deployment_id,
                    "status": "PRIMARY",
                    "taskDefinition": service.task_definition,
                    "desiredCount": service.desired_count,
                    "runningCount": service.desired_count,
                    "pendingCount": 0,
                    "failedTasks": 0,
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": f"ECS deployment {deployment_id} completed.",
                    "createdAt": now,
                    "updatedAt": now,
                }
            ]
        return result

    return update_service


replace(ecs_responses.EC2ContainerServiceResponse, "create_service", _create_service)
replace(ecs_responses.EC2ContainerServiceResponse, "update_service", _update_service)
original(ecs_models.EC2ContainerServiceBackend, "_get_service")


# Cognito: DeleteResourceServer is not implemented (a 500 the provider retried until it timed
# out, so no stack with a Cognito resource server could be destroyed).
def _delete_resource_server(self):
    server = self.backend.describe_resource_server(self._get_param("UserPoolId"), self._get_param("Identifier"))
    del self.backend.user_pools[server.user_pool_id].resource_servers[server.identifier]
    return cognito_responses.EmptyResult()


original(cognito_models.CognitoIdpBackend, "describe_resource_server")
original(cognito_models.CognitoResourceServer, "__init__")
if "delete_resource_server" in vars(cognito_responses.CognitoIdpResponse):
    sys.exit(f"emulator: moto {MOTO_VERSION} now has cognito-idp delete_resource_server; drop the patch")
cognito_responses.CognitoIdpResponse.delete_resource_server = _delete_resource_server


def main():
    from moto.server import ThreadedMotoServer

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print(f"PORT {server.get_host_and_port()[1]}", flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
