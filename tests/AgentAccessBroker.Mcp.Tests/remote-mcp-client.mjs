// The official MCP TypeScript SDK client over Streamable HTTP, driven line by line by the C# tests: an independent
// client, not ours. Usage: node remote-mcp-client.mjs NODE_MODULES MCP_URL; then one JSON command per stdin line
// ({"op":"connect","headers":{...}} or {"op":"connect","stdio":{...}}, {"op":"list"}, {"op":"call","name":...,"args":{...}}), one JSON answer per line.
// Every structuredContent is validated with ajv against the tool's outputSchema from tools/list.
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';

const [nodeModules, url] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(path.join(nodeModules, p)).href);
const { Client } = await load('@modelcontextprotocol/sdk/dist/esm/client/index.js');
const { StreamableHTTPClientTransport } = await load('@modelcontextprotocol/sdk/dist/esm/client/streamableHttp.js');
const { StdioClientTransport } = await load('@modelcontextprotocol/sdk/dist/esm/client/stdio.js');
const ajvModule = await load('ajv/dist/ajv.js');
const Ajv = ajvModule.default.default ?? ajvModule.default;
const ajv = new Ajv({ strict: true, allErrors: true, formats: { 'date-time': (s) => !Number.isNaN(Date.parse(s)) } });

let client;
const validators = new Map();
const out = (value) => process.stdout.write(JSON.stringify(value) + '\n');

async function handle(command) {
  switch (command.op) {
    case 'connect': {
      client = new Client({ name: 'aab-remote-test', version: '1.0.0' });
      // {"stdio":{"command":...,"args":[...],"env":{...}}} launches a stdio server instead, as a desktop client does.
      const transport = command.stdio
        ? new StdioClientTransport({ command: command.stdio.command, args: command.stdio.args, env: command.stdio.env, stderr: 'ignore' })
        : new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: command.headers ?? {} } });
      await client.connect(transport);
      return { connected: true, protocolVersion: transport.protocolVersion ?? null, capabilities: client.getServerCapabilities() ?? null };
    }
    case 'list': {
      const { tools } = await client.listTools();
      for (const tool of tools) {
        validators.set(tool.name, tool.outputSchema ? ajv.compile(tool.outputSchema) : null);
      }
      return { tools: tools.map((t) => ({ name: t.name, hasOutputSchema: !!t.outputSchema })) };
    }
    case 'call': {
      let progress = 0;
      const result = await client.callTool({ name: command.name, arguments: command.args ?? {} }, undefined,
        { onprogress: () => { progress += 1; }, timeout: 120000 });
      const validate = validators.get(command.name);
      const valid = validate ? validate(result.structuredContent) : false;
      return {
        isError: result.isError === true,
        text: (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n'),
        structured: result.structuredContent ?? null,
        valid,
        errors: validate && !valid ? ajv.errorsText(validate.errors) : null,
        progress,
      };
    }
    default:
      throw new Error(`unknown op ${command.op}`);
  }
}

for await (const line of readline.createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  try {
    out({ ok: true, ...(await handle(JSON.parse(line))) });
  } catch (error) {
    out({ ok: false, error: `${error?.name ?? 'Error'}: ${error?.message ?? error}`, code: error?.code ?? null });
  }
}
await client?.close();
