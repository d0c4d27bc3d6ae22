/**
 * `govcloud showback --kubeconfig FILE`: per agency and data centre, the quota allocated and
 * used, the share of each data centre, services owned and consumed, links and the month's
 * mean use, read from the running platform (read-only).
 */
import { showback } from '../../showback/compute.ts';
import { DATA_CENTRE_HEADERS, dataCentreRows, showbackCsv, showbackRows, TABLE_HEADERS } from '../../showback/format.ts';
import { monthOf } from '../../showback/history.ts';
import { readLiveShowback } from '../../showback/live.ts';
import { errorMessage } from '../../runtime/index.ts';
import { parseNow, parseOptions } from '../args.ts';
import { InputError, UsageError, type Command } from '../command.ts';
import { EXIT, useColour } from '../io.ts';
import { paint, renderTable } from '../table.ts';
import { openKubeconfig } from './connectivity.ts';

export const showbackCommand: Command = {
  name: 'showback',
  usage: `Usage: govcloud showback --kubeconfig FILE [--context NAME] [--output table|csv|json] [--namespace NS]

Reads the hub (the govcloud objects; each data centre's kubeconfig from its DataCentre's
Secret, as the operator connects) and every data centre's ResourceQuotas managed by govcloud,
and prints per agency and data centre: the quota allocated (status.hard) and used
(status.used) for CPU, memory, storage and pods, the share of the data centre's capacity,
the services the agency owns and consumes, its links, and the mean use since the month
began (from the operator's history ConfigMaps govcloud-showback-YYYY-MM and its shards). Read-only.

Options:
  --kubeconfig FILE              the hub's kubeconfig (required)
  --context NAME                 its context (default: the current one)
  --output table|csv|json        table (default); csv: one row per agency and data centre; json: everything
  --namespace NS                 the operator's namespace, where the history is (default: govcloud-system)
  --now RFC3339                  the time access windows are judged at (default: now)

Exit codes: 0 printed, 1 the hub cannot be read, 2 bad command line.
`,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      kubeconfig: { value: true },
      context: { value: true },
      output: { value: true, choices: ['table', 'csv', 'json'], short: 'o' },
      namespace: { value: true },
      now: { value: true },
    });
    if (positionals.length > 0) throw new UsageError('showback reads a running platform: --kubeconfig FILE, no paths');
    const kubeconfig = values.kubeconfig as string | undefined;
    if (kubeconfig === undefined) throw new UsageError('--kubeconfig FILE is required');
    const now = parseNow(values.now as string | undefined);
    const output = (values.output as string | undefined) ?? 'table';
    const hub = openKubeconfig(kubeconfig, values.context as string | undefined);
    let live;
    try {
      live = await readLiveShowback(hub, (values.namespace as string | undefined) ?? 'govcloud-system', monthOf(now));
    } catch (err) {
      throw new InputError(`cannot read the hub: ${errorMessage(err).split('\n')[0]}`);
    } finally {
      await hub.close();
    }
    const result = showback({ ...live, now });
    for (const u of live.unreachable) io.stderr(`data centre ${u.dataCentre} not read: ${u.reason}\n`);
    if (output === 'json') io.stdout(JSON.stringify(result, null, 2) + '\n');
    else if (output === 'csv') io.stdout(showbackCsv(result));
    else {
      const colour = useColour(io);
      io.stdout(paint(`Showback at ${result.generatedAt}`, 'bold', colour) + '\n\n');
      io.stdout(
        renderTable(
          DATA_CENTRE_HEADERS.map((header) => ({ header })),
          dataCentreRows(result),
          { colour },
        ) + '\n',
      );
      io.stdout(
        renderTable(
          TABLE_HEADERS.map((header) => ({ header })),
          showbackRows(result),
          { colour },
        ),
      );
    }
    return EXIT.ok;
  },
};
