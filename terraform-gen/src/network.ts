/**
 * Network: dual-stack VPC over `az_count` AZs, public subnets (ALB, NAT) and private
 * subnets (tasks), NAT per AZ or single, DynamoDB and S3 gateway endpoints so table traffic and
 * image layers never cross the NAT, and the two security groups (ALB open on 80/443, tasks only from the ALB).
 */
import { APP_PORT } from './constants.ts';
import type { Settings } from './settings.ts';
import { cond, type Fragment, fn, op, raw, tpl } from './tf.ts';

export function network(f: Fragment, s: Settings) {
  const { v, name } = s;
  const azCount = v.azCount.ref;
  const index = raw('count.index');

  const azs = f.dataSource<'names'>('aws_availability_zones', 'available', {
    state: 'available',
    filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
  });

  const vpc = f.resource<'ipv6_cidr_block' | 'cidr_block'>('aws_vpc', 'main', {
    cidr_block: v.vpcCidr.ref,
    assign_generated_ipv6_cidr_block: true,
    enable_dns_support: true,
    enable_dns_hostnames: true,
    tags: { Name: tpl`${name}-vpc` },
  });

  // Lock down the default security group: nothing uses it, so it allows nothing.
  f.resource('aws_default_security_group', 'default', {
    vpc_id: vpc.attr('id'),
    tags: { Name: tpl`${name}-default-deny` },
  });

  const igw = f.resource('aws_internet_gateway', 'main', {
    vpc_id: vpc.attr('id'),
    tags: { Name: tpl`${name}-igw` },
  });

  const publicSubnet = f.resource(
    'aws_subnet',
    'public',
    {
      vpc_id: vpc.attr('id'),
      availability_zone: azs.attr('names').at(index),
      cidr_block: fn('cidrsubnet', v.vpcCidr.ref, 4, index),
      ipv6_cidr_block: fn('cidrsubnet', vpc.attr('ipv6_cidr_block'), 8, index),
      assign_ipv6_address_on_creation: true,
      map_public_ip_on_launch: false,
      tags: { Name: tpl`${name}-public-${azs.attr('names').at(index)}`, Tier: 'public' },
    },
    { count: azCount },
  );

  const privateSubnet = f.resource(
    'aws_subnet',
    'private',
    {
      vpc_id: vpc.attr('id'),
      availability_zone: azs.attr('names').at(index),
      cidr_block: fn('cidrsubnet', v.vpcCidr.ref, 4, op(index, '+', 8)),
      map_public_ip_on_launch: false,
      tags: { Name: tpl`${name}-private-${azs.attr('names').at(index)}`, Tier: 'private' },
    },
    { count: azCount },
  );

  const perAz = op(v.natMode.ref, '==', 'per_az');
  const natCount = cond(perAz, azCount, 1);

  const natEip = f.resource(
    'aws_eip',
    'nat',
    { domain: 'vpc', tags: { Name: tpl`${name}-nat-${index}` } },
    { count: natCount, depends_on: [igw] },
  );

  const nat = f.resource(
    'aws_nat_gateway',
    'main',
    {
      allocation_id: natEip.attrAt(index, 'id'),
      subnet_id: publicSubnet.attrAt(index, 'id'),
      connectivity_type: 'public',
      tags: { Name: tpl`${name}-nat-${index}` },
    },
    { count: natCount, depends_on: [igw] },
  );

  const publicRt = f.resource('aws_route_table', 'public', {
    vpc_id: vpc.attr('id'),
    tags: { Name: tpl`${name}-public` },
  });
  f.resource('aws_route', 'public_ipv4_default', {
    route_table_id: publicRt.attr('id'),
    destination_cidr_block: '0.0.0.0/0',
    gateway_id: igw.attr('id'),
  });
  f.resource('aws_route', 'public_ipv6_default', {
    route_table_id: publicRt.attr('id'),
    destination_ipv6_cidr_block: '::/0',
    gateway_id: igw.attr('id'),
  });
  f.resource(
    'aws_route_table_association',
    'public',
    { subnet_id: publicSubnet.attrAt(index, 'id'), route_table_id: publicRt.attr('id') },
    { count: azCount },
  );

  const privateRt = f.resource(
    'aws_route_table',
    'private',
    { vpc_id: vpc.attr('id'), tags: { Name: tpl`${name}-private-${index}` } },
    { count: azCount },
  );
  f.resource(
    'aws_route',
    'private_nat',
    {
      route_table_id: privateRt.attrAt(index, 'id'),
      destination_cidr_block: '0.0.0.0/0',
      nat_gateway_id: nat.attrAt(cond(perAz, index, 0), 'id'),
    },
    { count: azCount },
  );
  f.resource(
    'aws_route_table_association',
    'private',
    { subnet_id: privateSubnet.attrAt(index, 'id'), route_table_id: privateRt.attrAt(index, 'id') },
    { count: azCount },
  );

  // Gateway endpoints (free): DynamoDB traffic, and the ECR image layers the tasks pull from
  // S3, stay on the AWS network from the private subnets: no NAT data-processing charges, no
  // internet path.
  const gatewayEndpoint = (service: 'dynamodb' | 's3') =>
    f.resource('aws_vpc_endpoint', service, {
      vpc_id: vpc.attr('id'),
      service_name: tpl`com.amazonaws.${v.region.ref}.${service}`,
      vpc_endpoint_type: 'Gateway',
      route_table_ids: privateRt.all('id'),
      tags: { Name: tpl`${name}-${service}` },
    });
  const dynamodbEndpoint = gatewayEndpoint('dynamodb');
  const s3Endpoint = gatewayEndpoint('s3');

  const albSg = f.resource('aws_security_group', 'alb', {
    name: tpl`${name}-alb`,
    description: 'Public ALB: HTTP/HTTPS from anywhere, egress only to the tasks app port',
    vpc_id: vpc.attr('id'),
    tags: { Name: tpl`${name}-alb` },
  });
  const tasksSg = f.resource('aws_security_group', 'tasks', {
    name: tpl`${name}-tasks`,
    description: 'ECS tasks: app port from the ALB only; HTTPS egress for ECR, logs and DynamoDB',
    vpc_id: vpc.attr('id'),
    tags: { Name: tpl`${name}-tasks` },
  });

  for (const port of [80, 443]) {
    f.resource('aws_vpc_security_group_ingress_rule', `alb_${port}_ipv4`, {
      security_group_id: albSg.attr('id'),
      description: `HTTP${port === 443 ? 'S' : ''} from the internet (IPv4)`,
      ip_protocol: 'tcp',
      from_port: port,
      to_port: port,
      cidr_ipv4: '0.0.0.0/0',
    });
    f.resource('aws_vpc_security_group_ingress_rule', `alb_${port}_ipv6`, {
      security_group_id: albSg.attr('id'),
      description: `HTTP${port === 443 ? 'S' : ''} from the internet (IPv6)`,
      ip_protocol: 'tcp',
      from_port: port,
      to_port: port,
      cidr_ipv6: '::/0',
    });
  }
  f.resource('aws_vpc_security_group_egress_rule', 'alb_to_tasks', {
    security_group_id: albSg.attr('id'),
    description: 'To the tasks app port',
    ip_protocol: 'tcp',
    from_port: APP_PORT,
    to_port: APP_PORT,
    referenced_security_group_id: tasksSg.attr('id'),
  });
  f.resource('aws_vpc_security_group_ingress_rule', 'tasks_from_alb', {
    security_group_id: tasksSg.attr('id'),
    description: 'App port from the ALB only',
    ip_protocol: 'tcp',
    from_port: APP_PORT,
    to_port: APP_PORT,
    referenced_security_group_id: albSg.attr('id'),
  });
  f.resource('aws_vpc_security_group_egress_rule', 'tasks_https', {
    security_group_id: tasksSg.attr('id'),
    description: 'HTTPS to AWS APIs (ECR, CloudWatch Logs via NAT; DynamoDB and S3 via gateway endpoints)',
    ip_protocol: 'tcp',
    from_port: 443,
    to_port: 443,
    cidr_ipv4: '0.0.0.0/0',
  });

  return {
    vpcId: vpc.attr('id'),
    publicSubnetIds: publicSubnet.all('id'),
    privateSubnetIds: privateSubnet.all('id'),
    albSgId: albSg.attr('id'),
    tasksSgId: tasksSg.attr('id'),
    dynamodbEndpointId: dynamodbEndpoint.attr('id'),
    s3EndpointId: s3Endpoint.attr('id'),
  };
}

export type Network = ReturnType<typeof network>;
