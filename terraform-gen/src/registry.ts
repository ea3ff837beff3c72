/** Registry: the ECR repository — immutable tags, scan on push, lifecycle policy. */
import type { Settings } from './settings.ts';
import { type Fragment, jsonDoc } from './tf.ts';

export function registry(f: Fragment, s: Settings) {
  const repo = f.resource<'arn' | 'repository_url' | 'name'>('aws_ecr_repository', 'app', {
    name: s.name,
    image_tag_mutability: 'IMMUTABLE',
    image_scanning_configuration: { scan_on_push: true },
    encryption_configuration: { encryption_type: 'AES256' },
    force_delete: false,
    tags: { Name: s.name },
  });
  f.resource('aws_ecr_lifecycle_policy', 'app', {
    repository: repo.attr('name'),
    policy: jsonDoc({
      rules: [
        {
          rulePriority: 1,
          description: 'Expire untagged images after 7 days',
          selection: {
            tagStatus: 'untagged',
            countType: 'sinceImagePushed',
            countUnit: 'days',
            countNumber: 7,
          },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: 'Keep the 50 most recent images',
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 50 },
          action: { type: 'expire' },
        },
      ],
    }),
  });
  return { arn: repo.attr('arn'), url: repo.attr('repository_url'), name: repo.attr('name') };
}

export type Registry = ReturnType<typeof registry>;
