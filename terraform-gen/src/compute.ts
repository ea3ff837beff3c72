/**
 * Compute: ECS cluster (Container Insights), the Fargate ARM64 task definition (non-root,
 * read-only root filesystem, awslogs, container health check, stop timeout covering the
 * drain), the service in private subnets, and target-tracking autoscaling.
 */

import { appEnvironment, containerEnvironment } from './app-environment.ts';
import type { AuthRefs } from './auth.ts';
import { APP_PORT, CONTAINER_HEALTHCHECK, CONTAINER_NAME, SHUTDOWN } from './constants.ts';
import { ecsRoles } from './identity.ts';
import type { LoadBalancer } from './loadbalancer.ts';
import type { Network } from './network.ts';
import type { Settings } from './settings.ts';
import { computedJson, type Expr, type Fragment, jsonDoc, tpl } from './tf.ts';

/** Numeric uid:gid the container runs as (no root, even if the image forgot USER). */
export const CONTAINER_USER = '10001:10001';

export function compute(
  f: Fragment,
  identity: Fragment,
  s: Settings,
  refs: {
    net: Network;
    lb: LoadBalancer;
    repositoryArn: Expr;
    repositoryUrl: Expr;
    tableArn: Expr;
    tableName: Expr;
    auth: AuthRefs;
  },
) {
  const { v, name } = s;
  const logGroup = f.resource<'arn' | 'name'>('aws_cloudwatch_log_group', 'app', {
    name: tpl`/ecs/${name}`,
    retention_in_days: v.logRetentionDays.ref,
  });
  const roles = ecsRoles(identity, s, {
    repositoryArn: refs.repositoryArn,
    logGroupArn: logGroup.attr('arn'),
    tableArn: refs.tableArn,
  });

  const cluster = f.resource<'arn' | 'name'>('aws_ecs_cluster', 'main', {
    name: name,
    setting: [{ name: 'containerInsights', value: 'enhanced' }],
  });
  f.resource('aws_ecs_cluster_capacity_providers', 'main', {
    cluster_name: cluster.attr('name'),
    capacity_providers: ['FARGATE'],
    default_capacity_provider_strategy: [{ capacity_provider: 'FARGATE', weight: 1, base: 0 }],
  });

  const container = {
    name: CONTAINER_NAME,
    image: tpl`${refs.repositoryUrl}:${v.imageTag.ref}`,
    essential: true,
    user: CONTAINER_USER,
    readonlyRootFilesystem: true,
    privileged: false,
    linuxParameters: { initProcessEnabled: true, capabilities: { drop: ['ALL'] } },
    // Nothing is writable: the root filesystem is read-only and there is no scratch volume. The
    // binary writes no file (traced: strace -f -e trace=%file while serving every route), and a
    // Fargate bind mount at /tmp would be root-owned, unwritable for uid 10001, anyway.
    portMappings: [{ name: 'http', containerPort: APP_PORT, hostPort: APP_PORT, protocol: 'tcp' }],
    environment: computedJson(
      containerEnvironment(appEnvironment(s, refs), { AWS_REGION: v.region.ref, PORT_APP: String(APP_PORT) }),
    ),
    healthCheck: {
      command: ['CMD', ...CONTAINER_HEALTHCHECK],
      interval: 10,
      timeout: 5,
      retries: 3,
      startPeriod: 15,
    },
    stopTimeout: SHUTDOWN.stopTimeoutSeconds,
    logConfiguration: {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': logGroup.attr('name'),
        'awslogs-region': v.region.ref,
        'awslogs-stream-prefix': 'app',
        mode: 'non-blocking',
        'max-buffer-size': '25m',
      },
    },
  };

  const taskDef = f.resource<'arn' | 'family' | 'arn_without_revision'>('aws_ecs_task_definition', 'app', {
    family: name,
    requires_compatibilities: ['FARGATE'],
    network_mode: 'awsvpc',
    cpu: tpl`${v.taskCpu.ref}`,
    memory: tpl`${v.taskMemory.ref}`,
    runtime_platform: { operating_system_family: 'LINUX', cpu_architecture: 'ARM64' },
    execution_role_arn: roles.executionRoleArn,
    task_role_arn: roles.taskRoleArn,
    container_definitions: jsonDoc([container]),
    // Revisions the deploy workflow registered stay usable; Terraform never deregisters them.
    skip_destroy: true,
    track_latest: false,
  });

  const service = f.resource<'name'>(
    'aws_ecs_service',
    'app',
    {
      name: name,
      cluster: cluster.attr('arn'),
      task_definition: taskDef.attr('arn'),
      desired_count: v.desiredCount.ref,
      launch_type: 'FARGATE',
      platform_version: 'LATEST',
      scheduling_strategy: 'REPLICA',
      deployment_minimum_healthy_percent: 100,
      deployment_maximum_percent: 200,
      deployment_circuit_breaker: { enable: true, rollback: true },
      deployment_controller: { type: 'ECS' },
      health_check_grace_period_seconds: 30,
      enable_ecs_managed_tags: true,
      propagate_tags: 'SERVICE',
      enable_execute_command: false,
      wait_for_steady_state: false,
      network_configuration: {
        subnets: refs.net.privateSubnetIds,
        security_groups: [refs.net.tasksSgId],
        assign_public_ip: false,
      },
      load_balancer: [
        {
          target_group_arn: refs.lb.containerTgArn,
          container_name: CONTAINER_NAME,
          container_port: APP_PORT,
        },
      ],
    },
    {
      depends_on: [refs.lb.httpsListener],
      lifecycle: {
        // Autoscaling owns desired_count; the deploy workflow registers new task-definition
        // revisions and points the service at them, so Terraform must not roll it back.
        ignore_changes: ['desired_count', 'task_definition'],
      },
    },
  );

  const target = f.resource<'resource_id' | 'scalable_dimension' | 'service_namespace'>(
    'aws_appautoscaling_target',
    'ecs',
    {
      service_namespace: 'ecs',
      scalable_dimension: 'ecs:service:DesiredCount',
      resource_id: tpl`service/${cluster.attr('name')}/${service.attr('name')}`,
      min_capacity: v.minCount.ref,
      max_capacity: v.maxCount.ref,
    },
  );
  const scaling = {
    resource_id: target.attr('resource_id'),
    scalable_dimension: target.attr('scalable_dimension'),
    service_namespace: target.attr('service_namespace'),
    policy_type: 'TargetTrackingScaling',
  };
  f.resource('aws_appautoscaling_policy', 'cpu', {
    name: tpl`${name}-cpu`,
    ...scaling,
    target_tracking_scaling_policy_configuration: {
      target_value: 60,
      scale_in_cooldown: 120,
      scale_out_cooldown: 60,
      predefined_metric_specification: { predefined_metric_type: 'ECSServiceAverageCPUUtilization' },
    },
  });
  f.resource('aws_appautoscaling_policy', 'requests', {
    name: tpl`${name}-requests`,
    ...scaling,
    target_tracking_scaling_policy_configuration: {
      target_value: 500,
      scale_in_cooldown: 120,
      scale_out_cooldown: 60,
      predefined_metric_specification: {
        predefined_metric_type: 'ALBRequestCountPerTarget',
        resource_label: tpl`${refs.lb.albArnSuffix}/${refs.lb.containerTgArnSuffix}`,
      },
    },
  });

  return {
    clusterName: cluster.attr('name'),
    clusterArn: cluster.attr('arn'),
    serviceName: service.attr('name'),
    // The service's id is its ARN in every provider version (5.x has no `arn` attribute).
    serviceArn: service.attr('id'),
    taskFamily: taskDef.attr('family'),
    executionRoleArn: roles.executionRoleArn,
    taskRoleArn: roles.taskRoleArn,
    logGroupName: logGroup.attr('name'),
  };
}

export type Compute = ReturnType<typeof compute>;
