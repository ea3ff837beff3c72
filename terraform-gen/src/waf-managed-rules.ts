/**
 * The AWS managed rule groups in front of the API, rule by rule (AWS WAF developer guide,
 * "Baseline rule groups"), and which of their rules only count instead of blocking.
 *
 * The API stores any JSON object up to 256 KiB and serves it back as `application/json` with
 * `nosniff`; it never renders, fetches, includes or deserializes what it stores. So a rule that
 * blocks a request because of what its body contains (a script tag, a URL, `../`, `${jndi:`)
 * would refuse data a client may legitimately store, while protecting nothing. Those rules, and
 * the size rules below the limits the app enforces itself (body 256 KiB, keys 1 KiB, cursors),
 * are overridden to Count: they still label the request and appear in metrics and WAF logs.
 * Every other rule (headers, cookies, URI paths, query strings, methods) keeps blocking.
 */

/** The part of the request a rule inspects (the suffix of its name, by AWS's convention). */
export type Component = 'BODY' | 'URIPATH' | 'QUERY' | 'HEADER' | 'COOKIE' | 'METHOD';

export interface ManagedRule {
  readonly name: string;
  readonly inspects: Component;
  /** Why it counts instead of blocking; absent for rules that block. */
  readonly countBecause?: string;
}

export interface ManagedRuleGroup {
  readonly name: string;
  readonly rules: readonly ManagedRule[];
}

const STORED_NOT_INTERPRETED = 'request bodies are stored as data and never interpreted';

export const COMMON_RULE_SET: ManagedRuleGroup = {
  name: 'AWSManagedRulesCommonRuleSet',
  rules: [
    { name: 'NoUserAgent_HEADER', inspects: 'HEADER' },
    { name: 'UserAgent_BadBots_HEADER', inspects: 'HEADER' },
    {
      name: 'SizeRestrictions_QUERYSTRING',
      inspects: 'QUERY',
      countBecause: 'blocks query strings over 2 KiB; a list cursor can be longer and the app bounds it',
    },
    { name: 'SizeRestrictions_Cookie_HEADER', inspects: 'COOKIE' },
    {
      name: 'SizeRestrictions_BODY',
      inspects: 'BODY',
      countBecause: 'blocks bodies over 8 KB; the API accepts 256 KiB and answers 413 above that itself',
    },
    {
      name: 'SizeRestrictions_URIPATH',
      inspects: 'URIPATH',
      countBecause: 'blocks paths over 1 KiB; keys are up to 1 KiB of UTF-8, longer once percent-encoded',
    },
    { name: 'EC2MetaDataSSRF_BODY', inspects: 'BODY', countBecause: STORED_NOT_INTERPRETED },
    { name: 'EC2MetaDataSSRF_COOKIE', inspects: 'COOKIE' },
    { name: 'EC2MetaDataSSRF_URIPATH', inspects: 'URIPATH' },
    { name: 'EC2MetaDataSSRF_QUERYARGUMENTS', inspects: 'QUERY' },
    { name: 'GenericLFI_QUERYARGUMENTS', inspects: 'QUERY' },
    { name: 'GenericLFI_URIPATH', inspects: 'URIPATH' },
    { name: 'GenericLFI_BODY', inspects: 'BODY', countBecause: STORED_NOT_INTERPRETED },
    { name: 'RestrictedExtensions_URIPATH', inspects: 'URIPATH' },
    { name: 'RestrictedExtensions_QUERYARGUMENTS', inspects: 'QUERY' },
    { name: 'GenericRFI_QUERYARGUMENTS', inspects: 'QUERY' },
    { name: 'GenericRFI_BODY', inspects: 'BODY', countBecause: STORED_NOT_INTERPRETED },
    { name: 'GenericRFI_URIPATH', inspects: 'URIPATH' },
    { name: 'CrossSiteScripting_COOKIE', inspects: 'COOKIE' },
    { name: 'CrossSiteScripting_QUERYARGUMENTS', inspects: 'QUERY' },
    { name: 'CrossSiteScripting_BODY', inspects: 'BODY', countBecause: STORED_NOT_INTERPRETED },
    { name: 'CrossSiteScripting_URIPATH', inspects: 'URIPATH' },
  ],
};

export const KNOWN_BAD_INPUTS_RULE_SET: ManagedRuleGroup = {
  name: 'AWSManagedRulesKnownBadInputsRuleSet',
  rules: [
    { name: 'JavaDeserializationRCE_HEADER', inspects: 'HEADER' },
    { name: 'JavaDeserializationRCE_BODY', inspects: 'BODY', countBecause: STORED_NOT_INTERPRETED },
    { name: 'JavaDeserializationRCE_URIPATH', inspects: 'URIPATH' },
    { name: 'JavaDeserializationRCE_QUERYSTRING', inspects: 'QUERY' },
    { name: 'Host_localhost_HEADER', inspects: 'HEADER' },
    { name: 'PROPFIND_METHOD', inspects: 'METHOD' },
    { name: 'ExploitablePaths_URIPATH', inspects: 'URIPATH' },
    { name: 'Log4JRCE_HEADER', inspects: 'HEADER' },
    { name: 'Log4JRCE_QUERYSTRING', inspects: 'QUERY' },
    { name: 'Log4JRCE_BODY', inspects: 'BODY', countBecause: STORED_NOT_INTERPRETED },
    { name: 'Log4JRCE_URIPATH', inspects: 'URIPATH' },
  ],
};

export const MANAGED_RULE_GROUPS: readonly ManagedRuleGroup[] = [COMMON_RULE_SET, KNOWN_BAD_INPUTS_RULE_SET];

/** The group's rules that count instead of blocking, for `rule_action_override`. */
export const countedRules = (group: ManagedRuleGroup): ManagedRule[] =>
  group.rules.filter((r) => r.countBecause !== undefined);
