import { allowedMethods } from '../../contracts/api-resources.ts';
import { HttpProblem } from './http-problem.ts';

/**
 * The answer of a backend to a request none of its routes serves, the same from the container
 * and the Lambda: 405 with `Allow` when the path names a resource of the API that takes other
 * methods; 404 when it names nothing, or names an operation the load balancer sends to the
 * other backend (a client sees one API whichever backend answered).
 */
export function routeProblem(method: string, path: string): HttpProblem {
  const allow = allowedMethods(path);
  if (allow.length === 0) return new HttpProblem('NotFound', `No resource at ${path}.`);
  if (allow.includes(method))
    return new HttpProblem('NotFound', `${method} ${path} is not served by this backend.`);
  return new HttpProblem('MethodNotAllowed', `${method} is not allowed here.`, allow);
}
