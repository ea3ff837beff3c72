/**
 * The SLOs of slos.ts as alarms: per objective and burn-rate alert, one metric-math alarm per
 * window (the burn rate over that window) and a composite alarm that is in ALARM when both are.
 * Only the composite alarms notify the SNS topic: a window alone is not worth a page (the long
 * one stays in ALARM for an hour after a fault ends, the short one trips on a blip).
 */
import { BURN_ALERTS, budgetSpent, SLO_WINDOW_DAYS, SLOS, type SloRefs, windowLabel } from './slos.ts';
import { type Expr, type Fragment, tpl } from './tf.ts';

export interface SloAlarmRefs extends SloRefs {
  name: Expr;
  topicArn: Expr;
}

export function sloAlarms(f: Fragment, r: SloAlarmRefs): void {
  for (const slo of SLOS) {
    const windowAlarm = (seconds: number, burnRate: number) => {
      const label = windowLabel(seconds);
      return f.resource<'alarm_name'>('aws_cloudwatch_metric_alarm', `slo_${slo.key}_burn_${label}`, {
        alarm_name: tpl`${r.name}-slo-${slo.key}-burn-${label}`,
        alarm_description: `${slo.title} SLO: error-budget burn rate over the last ${label} above ${burnRate}×. One window of a burn-rate alert; only the composite alarm notifies.`,
        // The whole window is one period, evaluated as a sliding window (CloudWatch's default),
        // so the value is the burn rate over the last `label`, advancing with each evaluation.
        evaluation_periods: 1,
        datapoints_to_alarm: 1,
        threshold: burnRate,
        comparison_operator: 'GreaterThanThreshold',
        // No requests, no burn.
        treat_missing_data: 'notBreaching',
        metric_query: slo.burnRateQueries(r, seconds),
      });
    };
    for (const alert of BURN_ALERTS) {
      const long = windowAlarm(alert.longSeconds, alert.burnRate);
      const short = windowAlarm(alert.shortSeconds, alert.burnRate);
      const spent = `${Math.round(budgetSpent(alert) * 100)}%`;
      f.resource('aws_cloudwatch_composite_alarm', `slo_${slo.key}_${alert.speed}_burn`, {
        alarm_name: tpl`${r.name}-slo-${slo.key}-${alert.speed}-burn`,
        alarm_description: `${slo.title} SLO (${slo.promise}): the error budget is burning faster than ${alert.burnRate}× over both the last ${windowLabel(alert.longSeconds)} and the last ${windowLabel(alert.shortSeconds)}; at that rate ${spent} of the ${SLO_WINDOW_DAYS}-day budget goes every ${windowLabel(alert.longSeconds)}. First check: ${slo.firstCheck}`,
        alarm_rule: tpl`ALARM("${long.attr('alarm_name')}") AND ALARM("${short.attr('alarm_name')}")`,
        alarm_actions: [r.topicArn],
        ok_actions: [r.topicArn],
      });
    }
  }
}
