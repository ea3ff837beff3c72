/**
 * DNS/TLS: with `hosted_zone_id`, a DNS-validated ACM certificate for `domain_name` and
 * Route 53 A/AAAA aliases to the ALB; otherwise the given `certificate_arn` is used and DNS is
 * the user's (point a CNAME at the `alb_dns_name` output).
 */
import type { Settings } from './settings.ts';
import { cond, type Expr, type Fragment, fn, op, raw } from './tf.ts';

export function certificate(f: Fragment, s: Settings) {
  const { v } = s;
  const createCert = f.local('create_certificate', op(v.certificateArn.ref, '==', ''));
  const manageDns = f.local('manage_dns', op(v.hostedZoneId.ref, '!=', ''));

  const cert = f.resource<'arn' | 'domain_validation_options'>(
    'aws_acm_certificate',
    'api',
    {
      domain_name: v.domainName.ref,
      validation_method: 'DNS',
      key_algorithm: 'EC_prime256v1',
      options: { certificate_transparency_logging_preference: 'ENABLED' },
    },
    { count: cond(createCert.ref, 1, 0), lifecycle: { create_before_destroy: true } },
  );

  const validationRecords = f.resource<'fqdn'>(
    'aws_route53_record',
    'certificate_validation',
    {
      zone_id: v.hostedZoneId.ref,
      name: raw('each.value.name'),
      type: raw('each.value.type'),
      records: [raw('each.value.record')],
      ttl: 300,
      allow_overwrite: true,
    },
    {
      for_each: raw(
        `{ for dvo in flatten(${cert.all('domain_validation_options').hcl}) : dvo.domain_name => { name = dvo.resource_record_name, record = dvo.resource_record_value, type = dvo.resource_record_type } }`,
      ),
    },
  );

  const validation = f.resource<'certificate_arn'>(
    'aws_acm_certificate_validation',
    'api',
    {
      certificate_arn: cert.attrAt(0, 'arn'),
      validation_record_fqdns: raw(`[for r in ${validationRecords.self.hcl} : r.fqdn]`),
    },
    { count: cond(createCert.ref, 1, 0) },
  );

  const certificateArn = f.local(
    'certificate_arn',
    cond(createCert.ref, fn('one', validation.all('certificate_arn')), v.certificateArn.ref),
  );
  return { certificateArn: certificateArn.ref, manageDns: manageDns.ref };
}

export function aliasRecords(
  f: Fragment,
  s: Settings,
  refs: { manageDns: Expr; albDnsName: Expr; albZoneId: Expr },
) {
  for (const type of ['A', 'AAAA']) {
    f.resource(
      'aws_route53_record',
      `api_${type.toLowerCase()}`,
      {
        zone_id: s.v.hostedZoneId.ref,
        name: s.v.domainName.ref,
        type,
        alias: { name: refs.albDnsName, zone_id: refs.albZoneId, evaluate_target_health: true },
      },
      { count: cond(refs.manageDns, 1, 0) },
    );
  }
}
