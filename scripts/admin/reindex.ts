import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { type ReindexCommand } from "./args";
import { AdminError } from "./errors";
import { type AdminTarget } from "./stack-outputs";
import { type AdminIo } from "./users";

/**
 * `npm run admin -- reindex`: runs the object index's reconciliation now (docs/OBJECT-INDEX.md,
 * "Reconciliation") by invoking the stack's indexer function with `{"reconcile": {tenant?, home?}}`,
 * as its schedule does. It runs with the function's own role, so the operator needs only
 * `lambda:InvokeFunction` on it; the answer is the drift report, printed as one JSON line.
 */
export async function reindex(command: ReindexCommand, target: AdminTarget, io: AdminIo, client?: LambdaClient): Promise<void> {
  const functionName = command.functionName ?? target.indexerFunction;
  if (functionName === undefined) {
    throw new AdminError(`${target.origin} has no objectIndex.indexerFunction output: the stack has no object index (the full profile builds one); pass --function-name, or give the whole \`pulumi stack output --json\``);
  }
  const lambda = client ?? new LambdaClient({ region: target.region, ...(command.source.endpoint === undefined ? {} : { endpoint: command.source.endpoint }) });
  const scope = { ...(command.tenant === undefined ? {} : { tenant: command.tenant }), ...(command.home === undefined ? {} : { home: command.home }) };
  let out;
  try {
    out = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "RequestResponse", Payload: new TextEncoder().encode(JSON.stringify({ reconcile: scope })) }));
  } catch (err) {
    const name = (err as { name?: string }).name ?? "error";
    throw new AdminError(`could not invoke ${functionName} (${name}): check the region, your credentials (lambda:InvokeFunction on the function) and --function-name`, { cause: err });
  } finally {
    if (client === undefined) {
      lambda.destroy();
    }
  }
  const text = new TextDecoder().decode(out.Payload ?? new Uint8Array());
  if (out.FunctionError !== undefined) {
    // Lambda's error payload names the error type; the function's log has the rest.
    const type = (safeJson(text) as { errorType?: unknown } | undefined)?.errorType;
    throw new AdminError(`${functionName} failed the reconciliation (${typeof type === "string" ? type : out.FunctionError}); its CloudWatch log says why`);
  }
  const answer = safeJson(text) as { reconciled?: unknown } | undefined;
  if (answer?.reconciled === undefined) {
    throw new AdminError(`${functionName} answered without a drift report: is it the stack's indexer function?`);
  }
  io.out(JSON.stringify({ scope, reconciled: answer.reconciled }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
