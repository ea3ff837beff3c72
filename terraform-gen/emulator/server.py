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

import base64
import copy
import hashlib
import inspect
import json as _json
import os
import re
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
from moto.cloudwatch import models as cloudwatch_models
from moto.cloudwatch import responses as cloudwatch_responses
from moto.cognitoidp import models as cognito_models
from moto.cognitoidp import responses as cognito_responses
from moto.core.utils import utcnow
from moto.ec2.models import security_groups as ec2_security_groups
from moto.ec2.models import subnets as ec2_subnets
from moto.ecr import models as ecr_models
from moto.ecr import responses as ecr_responses
from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.logs import models as logs_models
from moto.logs import responses as logs_responses
from moto.moto_api import state_manager
from moto.moto_api._internal import mock_random
from moto.moto_api._internal.managed_state_model import ManagedState
from moto.moto_server import werkzeug_app
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
# availabilityZoneRebalancing and the deployment configuration (diffs on every plan).
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


# ECS: deployments never progressed (UpdateService started none; CreateService's stayed as
# moto made it), so neither a rollout nor the circuit breaker could be observed. Here they
# roll out as on AWS: each deployment is IN_PROGRESS, then COMPLETED when every image of its
# task definition can be pulled; an image the emulated ECR does not hold (an ECR image of this
# account whose repository lacks that tag or digest) fails it, and the circuit breaker, when
# enabled with rollback, starts a deployment of the last completed task definition, as ECS
# does. How long a rollout takes is moto's state manager model "ecs::deployment" (default: at
# the first DescribeServices; tests set e.g. {"progression": "time", "seconds": 5} through
# POST /moto-api/state-manager/set-transition).
ECS_DEPLOYMENT_MODEL = "ecs::deployment"
if ECS_DEPLOYMENT_MODEL in state_manager.get_registered_models():
    sys.exit(f"emulator: moto {MOTO_VERSION} now models {ECS_DEPLOYMENT_MODEL}; drop the patch")
state_manager.register_default_transition(ECS_DEPLOYMENT_MODEL, {"progression": "immediate"})


class _Rollout(ManagedState):
    def __init__(self):
        super().__init__(ECS_DEPLOYMENT_MODEL, [("IN_PROGRESS", "DONE")])


_rollouts: dict[str, _Rollout] = {}
# Service ARN -> task definition of its last completed deployment (the circuit breaker's target).
_last_completed: dict[str, str] = {}
_ECR_IMAGE = re.compile(
    r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/([^:@]+)(?::([^@]+))?(?:@(sha256:[0-9a-f]{64}))?$"
)


def _new_deployment(service, task_definition, base):
    now = utcnow()
    deployment_id = f"ecs-svc/{mock_random.randint(0, 32**12)}"
    _rollouts[deployment_id] = _Rollout()
    return {
        **base,
        "id": deployment_id,
        "status": "PRIMARY",
        "taskDefinition": task_definition,
        "desiredCount": service.desired_count,
        "runningCount": 0,
        "pendingCount": service.desired_count,
        "failedTasks": 0,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
        "createdAt": now,
        "updatedAt": now,
    }


def _unpullable_image(backend, task_definition_arn):
    """The first image of the task definition the emulated ECR cannot serve, or None."""
    task_definition = backend.describe_task_definition(task_definition_arn)
    for container in task_definition.container_definitions:
        image = container.get("image") or ""
        match = _ECR_IMAGE.match(image)
        if not match:
            continue  # another registry: assumed pullable
        account, region, name, tag, digest = match.groups()
        repository = ecr_models.ecr_backends[account][region].repositories.get(name)
        if repository is None or not any(
            (tag is None or tag in image_.image_tags) and (digest is None or image_.get_image_digest() == digest)
            for image_ in repository.images
        ):
            return image
    return None


def _progress(backend, service):
    """Moves the service's PRIMARY deployment on, if its rollout is due."""
    primary = next((d for d in service.deployments if d.get("status") == "PRIMARY"), None)
    rollout = _rollouts.get(primary["id"]) if primary else None
    if rollout is None or primary.get("rolloutState") != "IN_PROGRESS":
        return
    rollout.advance()
    if rollout.status != "DONE":
        return
    del _rollouts[primary["id"]]
    now = utcnow()
    missing = _unpullable_image(backend, primary["taskDefinition"])
    if missing is None:
        primary.update(
            runningCount=primary["desiredCount"],
            pendingCount=0,
            rolloutState="COMPLETED",
            rolloutStateReason=f"ECS deployment {primary['id']} completed.",
            updatedAt=now,
        )
        service.deployments = [primary]
        _last_completed[service.arn] = primary["taskDefinition"]
        return
    breaker = (getattr(service, "deployment_configuration", None) or {}).get("deploymentCircuitBreaker") or {}
    primary.update(failedTasks=primary.get("failedTasks", 0) + primary["desiredCount"], updatedAt=now)
    if not breaker.get("enable"):
        # Without the circuit breaker ECS keeps launching tasks that cannot start.
        primary["rolloutStateReason"] = f"tasks fail to start: CannotPullContainerError: {missing}"
        _rollouts[primary["id"]] = _Rollout()
        return
    primary.update(
        rolloutState="FAILED",
        rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.",
    )
    target = _last_completed.get(service.arn)
    if not breaker.get("rollback") or target is None:
        return
    primary["status"] = "ACTIVE"
    service.task_definition = target
    rollback = _new_deployment(service, target, primary)
    rollback["rolloutStateReason"] = f"ECS deployment circuit breaker: rolling back to deploymentId {primary['id']}."
    service.deployments = [rollback, primary]


def _create_service(create):
    def create_service(self):
        result = create(self)
        service = self.ecs_backend._get_service(self._get_param("cluster", "default"), self._get_param("serviceName"))
        _service_settings(self, service)
        if service.deployments:
            first = service.deployments[0]
            service.deployments = [_new_deployment(service, service.task_definition, first)]
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
            previous = next((d for d in service.deployments if d.get("status") == "PRIMARY"), None) or {}
            deployment = _new_deployment(service, service.task_definition, previous)
            if previous:
                previous["status"] = "ACTIVE"
            service.deployments = [deployment, *([previous] if previous else [])]
        return result

    return update_service


def _describe_services(describe):
    def describe_services(self):
        services, _ = self.ecs_backend.describe_services(
            self._get_param("cluster", "default"), self._get_param("services", [])
        )
        for service in services:
            _progress(self.ecs_backend, service)
        return describe(self)

    return describe_services


replace(ecs_responses.EC2ContainerServiceResponse, "create_service", _create_service)
replace(ecs_responses.EC2ContainerServiceResponse, "update_service", _update_service)
replace(ecs_responses.EC2ContainerServiceResponse, "describe_services", _describe_services)
original(ecs_models.EC2ContainerServiceBackend, "_get_service")
original(ecs_models.EC2ContainerServiceBackend, "describe_task_definition")
original(ecr_models.Image, "get_image_digest")


# ECR: an image's digest was the SHA-256 of its layers' digests; in AWS (and every registry) it
# is the SHA-256 of the manifest's bytes, which is what a build reports and the deploy checks.
def _manifest_digest(_previous):
    def _create_digest(self):
        self._image_digest = "sha256:" + hashlib.sha256(self.image_manifest.encode("utf-8")).hexdigest()

    return _create_digest


replace(ecr_models.Image, "_create_digest", _manifest_digest)


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


# CloudWatch: PutCompositeAlarm is not implemented, though the model and DescribeAlarms already
# hold composite alarms (an alarm with a rule is listed under CompositeAlarms). Only a rule that
# names alarms which exist is accepted, as CloudWatch refuses one naming an alarm it lacks.
def _put_composite_alarm(self):
    rule = self._get_param("AlarmRule") or ""
    backend = self.cloudwatch_backend
    for named in re.findall(r'\b(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*"?([^")]+?)"?\s*\)', rule):
        if named not in backend.alarms and not any(a.alarm_arn == named for a in backend.alarms.values()):
            raise cloudwatch_responses.ValidationError(f"Could not save the composite alarm as alarms [{named}] in the alarm rule do not exist")
    backend.put_metric_alarm(
        name=self._get_param("AlarmName"),
        namespace=None,
        metric_name=None,
        comparison_operator=None,
        evaluation_periods=None,
        period=None,
        threshold=None,
        statistic=None,
        description=self._get_param("AlarmDescription"),
        dimensions=[],
        alarm_actions=self._get_param("AlarmActions", []),
        ok_actions=self._get_param("OKActions", []),
        insufficient_data_actions=self._get_param("InsufficientDataActions", []),
        actions_enabled=self._get_bool_param("ActionsEnabled"),
        rule=rule,
        tags=self._get_param("Tags", []),
    )
    return cloudwatch_responses.EmptyResult()


original(cloudwatch_models.CloudWatchBackend, "put_metric_alarm")
if "rule" not in inspect.signature(cloudwatch_models.Alarm.__init__).parameters:
    sys.exit(f"emulator: moto {MOTO_VERSION} alarms no longer keep a rule; revisit the composite-alarm patch")
if "put_composite_alarm" in vars(cloudwatch_responses.CloudWatchResponse):
    sys.exit(f"emulator: moto {MOTO_VERSION} now has cloudwatch put_composite_alarm; drop the patch")
cloudwatch_responses.CloudWatchResponse.put_composite_alarm = _put_composite_alarm


# CloudWatch Logs: saved Logs Insights queries (PutQueryDefinition, DescribeQueryDefinitions,
# DeleteQueryDefinition) are not implemented. Kept per account and region; a put with an id
# updates that definition (ResourceNotFoundException for an unknown one), as Logs does.
_query_definitions: dict[tuple[str, str], dict[str, dict]] = {}  # (account, region) -> id -> definition


def _logs_error(code, message):
    return _json.dumps({"__type": code, "message": message}), {"status": 400}


def _definitions(self):
    return _query_definitions.setdefault((self.current_account, self.region), {})


def _put_query_definition(self):
    definitions = _definitions(self)
    definition_id = self._get_param("queryDefinitionId")
    if definition_id and definition_id not in definitions:
        return _logs_error("ResourceNotFoundException", f"query definition {definition_id} does not exist")
    name, query = self._get_param("name"), self._get_param("queryString")
    if not name or not query:
        return _logs_error("InvalidParameterException", "name and queryString are required")
    definition_id = definition_id or str(mock_random.uuid4())
    definitions[definition_id] = {
        "queryDefinitionId": definition_id,
        "name": name,
        "queryString": query,
        "logGroupNames": self._get_param("logGroupNames") or [],
        "queryLanguage": self._get_param("queryLanguage") or "CWLI",
        "lastModified": int(utcnow().timestamp() * 1000),
    }
    return _json.dumps({"queryDefinitionId": definition_id})


def _describe_query_definitions(self):
    prefix = self._get_param("queryDefinitionNamePrefix") or ""
    found = [d for d in _definitions(self).values() if d["name"].startswith(prefix)]
    return _json.dumps({"queryDefinitions": sorted(found, key=lambda d: d["name"])})


def _delete_query_definition(self):
    if _definitions(self).pop(self._get_param("queryDefinitionId"), None) is None:
        return _logs_error("ResourceNotFoundException", "query definition does not exist")
    return _json.dumps({"success": True})


original(logs_models.LogsBackend, "start_query")
for _name, _method in {
    "put_query_definition": _put_query_definition,
    "describe_query_definitions": _describe_query_definitions,
    "delete_query_definition": _delete_query_definition,
}.items():
    if _name in vars(logs_responses.LogsResponse):
        sys.exit(f"emulator: moto {MOTO_VERSION} now has logs {_name}; drop the patch")
    setattr(logs_responses.LogsResponse, _name, _method)


# ECR: pushing an image through the API (BatchCheckLayerAvailability, InitiateLayerUpload,
# UploadLayerPart, CompleteLayerUpload, then PutImage), as a registry client and our deploy's
# push-image.sh do, was not implemented. Blobs are kept per repository; an upload's digest must
# match its bytes, parts must arrive in order, and PutImage refuses a manifest whose config or
# layers were never uploaded (LayersNotFoundException), as ECR does.
_blobs: dict[str, dict[str, int]] = {}  # repository ARN -> digest -> size
_uploads: dict[str, tuple[str, bytearray]] = {}  # upload id -> (repository ARN, bytes so far)
# What InitiateLayerUpload asks for; a test makes it small to push an image in several parts.
_PART_SIZE = int(os.environ.get("EMULATOR_ECR_PART_SIZE", 10 * 1024 * 1024))


def _ecr_error(code, message):
    return _json.dumps({"__type": code, "message": message}), {"status": 400}


def _blob_param(value):
    # Blob members arrive base64-encoded in the JSON protocol (bytes where moto decoded them).
    return value if isinstance(value, (bytes, bytearray)) else base64.b64decode(value)


def _batch_check_layer_availability(self):
    repository = self.ecr_backend._get_repository(self._get_param("repositoryName"), self._get_param("registryId"))
    stored = _blobs.get(repository.arn, {})
    layers, failures = [], []
    for digest in self._get_param("layerDigests") or []:
        if digest in stored:
            layers.append({"layerDigest": digest, "layerAvailability": "AVAILABLE", "layerSize": stored[digest]})
        else:
            failures.append({"layerDigest": digest, "failureCode": "MissingLayerDigest", "failureReason": "Requested layer digest is not found"})
    return _json.dumps({"layers": layers, "failures": failures})


def _initiate_layer_upload(self):
    repository = self.ecr_backend._get_repository(self._get_param("repositoryName"), self._get_param("registryId"))
    upload_id = str(mock_random.uuid4())
    _uploads[upload_id] = (repository.arn, bytearray())
    return _json.dumps({"uploadId": upload_id, "partSize": _PART_SIZE})


def _upload_layer_part(self):
    repository = self.ecr_backend._get_repository(self._get_param("repositoryName"), self._get_param("registryId"))
    upload_id = self._get_param("uploadId")
    if upload_id not in _uploads or _uploads[upload_id][0] != repository.arn:
        return _ecr_error("UploadNotFoundException", f"upload {upload_id} not found")
    received = _uploads[upload_id][1]
    first, last = int(self._get_param("partFirstByte")), int(self._get_param("partLastByte"))
    blob = _blob_param(self._get_param("layerPartBlob"))
    if first != len(received) or last != first + len(blob) - 1:
        return _ecr_error("InvalidLayerPartException", f"part {first}-{last} does not follow byte {len(received)}")
    received.extend(blob)
    return _json.dumps(
        {"registryId": repository.registry_id, "repositoryName": repository.name, "uploadId": upload_id, "lastByteReceived": last}
    )


def _complete_layer_upload(self):
    repository = self.ecr_backend._get_repository(self._get_param("repositoryName"), self._get_param("registryId"))
    upload_id = self._get_param("uploadId")
    if upload_id not in _uploads or _uploads[upload_id][0] != repository.arn:
        return _ecr_error("UploadNotFoundException", f"upload {upload_id} not found")
    digests = self._get_param("layerDigests") or []
    data = _uploads.pop(upload_id)[1]
    actual = "sha256:" + hashlib.sha256(data).hexdigest()
    if digests != [actual]:
        return _ecr_error("InvalidLayerException", f"layer digest {digests} does not match the uploaded {actual}")
    _blobs.setdefault(repository.arn, {})[actual] = len(data)
    return _json.dumps(
        {"registryId": repository.registry_id, "repositoryName": repository.name, "uploadId": upload_id, "layerDigest": actual}
    )


def _put_image(put):
    def put_image(self):
        repository = self.ecr_backend._get_repository(self._get_param("repositoryName"), self._get_param("registryId"))
        manifest = _json.loads(self._get_param("imageManifest"))
        referenced = [manifest["config"]["digest"]] if "config" in manifest else []
        referenced += [layer["digest"] for layer in manifest.get("layers", [])]
        missing = [d for d in referenced if d not in _blobs.get(repository.arn, {})]
        if missing:
            return _ecr_error("LayersNotFoundException", f"layers {missing} were never uploaded")
        expected = self._get_param("imageDigest")
        actual = "sha256:" + hashlib.sha256(self._get_param("imageManifest").encode("utf-8")).hexdigest()
        if expected and expected != actual:
            return _ecr_error("ImageDigestDoesNotMatchException", f"the manifest's digest is {actual}, not {expected}")
        return put(self)

    return put_image


for _name, _method in {
    "batch_check_layer_availability": _batch_check_layer_availability,
    "initiate_layer_upload": _initiate_layer_upload,
    "upload_layer_part": _upload_layer_part,
    "complete_layer_upload": _complete_layer_upload,
}.items():
    # moto 5.2.1 raises NotImplementedError here; a moto that implements them needs no patch.
    if "NotImplementedError" not in inspect.getsource(original(ecr_responses.ECRResponse, _name)):
        sys.exit(f"emulator: moto {MOTO_VERSION} now implements ecr {_name}; drop the patch")
    setattr(ecr_responses.ECRResponse, _name, _method)
replace(ecr_responses.ECRResponse, "put_image", _put_image)
original(ecr_models.ECRBackend, "_get_repository")


# The request log (stderr) named no operation for JSON-protocol services ("POST /" only): each
# request now logs "API <X-Amz-Target>" (or "API <method> <path>") first, so a test can tell
# which calls a script made, e.g. that a rollback issued no UpdateService.
def _logged(call):
    def __call__(self, environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET") or f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
        print(f"API {target}", file=sys.stderr, flush=True)
        return call(self, environ, start_response)

    return __call__


replace(werkzeug_app.DomainDispatcherApplication, "__call__", _logged)


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
