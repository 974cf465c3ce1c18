using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace AgentAccessBroker.Client;

/// <summary>
/// Typed client of the broker's /v1 API, used by the CLI and the MCP server. Authenticates with a bearer token; agents
/// also send their task token in <c>X-AAB-Task-Token</c>. Neither token is ever logged or put in an exception.
/// </summary>
public sealed class BrokerClient : IDisposable
{
    public const string TaskTokenHeader = "X-AAB-Task-Token";

    private readonly HttpClient _http;

    public BrokerClient(Uri baseAddress, string token, string? taskToken = null, TimeSpan? timeout = null, HttpMessageHandler? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = baseAddress;
        _http.Timeout = timeout ?? TimeSpan.FromSeconds(30);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (taskToken is not null)
        {
            _http.DefaultRequestHeaders.Add(TaskTokenHeader, taskToken);
        }
    }

    public Task<RegisteredPrincipal> RegisterAgentAsync(RegisterAgentBody body, CancellationToken cancellationToken) =>
        SendAsync<RegisteredPrincipal>(HttpMethod.Post, "v1/agents", body, cancellationToken);

    public Task<RegisteredPrincipal> RegisterPrincipalAsync(RegisterPrincipalBody body, CancellationToken cancellationToken) =>
        SendAsync<RegisteredPrincipal>(HttpMethod.Post, "v1/principals", body, cancellationToken);

    public Task<StartedTask> StartTaskAsync(StartTaskBody body, CancellationToken cancellationToken) =>
        SendAsync<StartedTask>(HttpMethod.Post, "v1/tasks", body, cancellationToken);

    public Task<IReadOnlyList<TaskView>> ListTasksAsync(string? state, CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<TaskView>>(HttpMethod.Get, "v1/tasks" + Query(("state", state)), null, cancellationToken);

    /// <summary>The task the client's task token belongs to (agents only).</summary>
    public Task<TaskView> GetCurrentTaskAsync(CancellationToken cancellationToken) =>
        SendAsync<TaskView>(HttpMethod.Get, "v1/tasks/current", null, cancellationToken);

    public Task<TaskView> GetTaskAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<TaskView>(HttpMethod.Get, $"v1/tasks/{Uri.EscapeDataString(id)}", null, cancellationToken);

    /// <summary>Completes a task; <paramref name="id"/> may be omitted by an agent to complete its current task.</summary>
    public Task<CompletedTask> CompleteTaskAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<CompletedTask>(HttpMethod.Post, $"v1/tasks/{Uri.EscapeDataString(id)}/complete", null, cancellationToken);

    public Task<RequestOutcomeView> SubmitRequestAsync(AccessRequestBody body, CancellationToken cancellationToken) =>
        SendAsync<RequestOutcomeView>(HttpMethod.Post, "v1/requests", body, cancellationToken);

    public Task<RequestOutcomeView> ClaimRequestAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<RequestOutcomeView>(HttpMethod.Post, $"v1/requests/{Uri.EscapeDataString(id)}/claim", null, cancellationToken);

    public Task<RequestView> GetRequestAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<RequestView>(HttpMethod.Get, $"v1/requests/{Uri.EscapeDataString(id)}", null, cancellationToken);

    /// <summary>Every matching request: follows the broker's <c>next</c> links through all pages.</summary>
    public Task<IReadOnlyList<RequestView>> ListRequestsAsync(string? status, string? task, CancellationToken cancellationToken) =>
        ListAllAsync<RequestView>("v1/requests" + Query(("status", status), ("task", task)), cancellationToken);

    public Task<VoteView> ApproveAsync(string id, VoteBody body, CancellationToken cancellationToken) =>
        SendAsync<VoteView>(HttpMethod.Post, $"v1/requests/{Uri.EscapeDataString(id)}/approve", body, cancellationToken);

    public Task<VoteView> DenyAsync(string id, VoteBody body, CancellationToken cancellationToken) =>
        SendAsync<VoteView>(HttpMethod.Post, $"v1/requests/{Uri.EscapeDataString(id)}/deny", body, cancellationToken);

    /// <summary>Every matching lease: follows the broker's <c>next</c> links through all pages.</summary>
    public Task<IReadOnlyList<LeaseView>> ListLeasesAsync(string? task, string? state, CancellationToken cancellationToken) =>
        ListAllAsync<LeaseView>("v1/leases" + Query(("task", task), ("state", state)), cancellationToken);

    public Task<CompletedTask> CancelTaskAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<CompletedTask>(HttpMethod.Post, $"v1/tasks/{Uri.EscapeDataString(id)}/cancel", null, cancellationToken);

    /// <summary>Disables, enables or removes an agent (<paramref name="agent"/> true) or a person; <paramref name="action"/> is disable, enable or remove.</summary>
    public Task<PrincipalChangeView> ChangePrincipalAsync(bool agent, string id, string action, string? reason, CancellationToken cancellationToken) =>
        action == "remove"
            ? SendAsync<PrincipalChangeView>(HttpMethod.Delete, $"v1/{(agent ? "agents" : "principals")}/{Uri.EscapeDataString(id)}" + Query(("reason", reason)), null, cancellationToken)
            : SendAsync<PrincipalChangeView>(HttpMethod.Post, $"v1/{(agent ? "agents" : "principals")}/{Uri.EscapeDataString(id)}/{action}", new PrincipalChangeBody(reason), cancellationToken);

    public Task<RegisteredPrincipal> RotateTokenAsync(string id, RotateTokenBody body, CancellationToken cancellationToken) =>
        SendAsync<RegisteredPrincipal>(HttpMethod.Post, $"v1/principals/{Uri.EscapeDataString(id)}/token", body, cancellationToken);

    public Task<LockedView> LockAsync(LockBody body, CancellationToken cancellationToken) =>
        SendAsync<LockedView>(HttpMethod.Post, "v1/locks", body, cancellationToken);

    public Task<IReadOnlyList<LockView>> ListLocksAsync(bool includeLifted, CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<LockView>>(HttpMethod.Get, "v1/locks" + Query(("all", includeLifted ? "true" : null)), null, cancellationToken);

    public Task<LockView> LiftLockAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<LockView>(HttpMethod.Delete, $"v1/locks/{Uri.EscapeDataString(id)}", null, cancellationToken);

    public Task<ReleaseView> ReleaseLeaseAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<ReleaseView>(HttpMethod.Post, $"v1/leases/{Uri.EscapeDataString(id)}/release", null, cancellationToken);

    public Task<IReadOnlyList<TargetView>> ListTargetsAsync(CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<TargetView>>(HttpMethod.Get, "v1/targets", null, cancellationToken);

    /// <summary>The broker this client talks to.</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>The PEM public key the broker signs audit exports with (auditors and admins).</summary>
    public async Task<string> GetAuditPublicKeyAsync(CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "v1/audit/public-key"), HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }
    /// <summary>A one-time console sign-in link for the caller (or, for an admin, for <paramref name="principal"/>).</summary>
    public Task<ConsoleLinkView> CreateConsoleLinkAsync(string? principal, CancellationToken cancellationToken) =>
        SendAsync<ConsoleLinkView>(HttpMethod.Post, "v1/console/links", new ConsoleLinkBody(principal), cancellationToken);

    /// <summary>Streams an audit export (jsonl or csv) into <paramref name="destination"/>.</summary>
    public async Task ExportAuditAsync(DateTimeOffset? from, DateTimeOffset? to, string? agent, string? task, string format, Stream destination, CancellationToken cancellationToken)
    {
        var path = "v1/audit/export" + Query(("from", from?.ToString("O")), ("to", to?.ToString("O")), ("agent", agent), ("task", task), ("format", format));
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await response.Content.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>Downloads a signed evidence pack (a zip archive) for a task, or for a period and optionally one agent.</summary>
    public async Task DownloadEvidenceAsync(string? task, DateTimeOffset? from, DateTimeOffset? to, string? agent, Stream destination, CancellationToken cancellationToken)
    {
        var path = "v1/evidence" + Query(("task", task), ("from", from?.ToString("O")), ("to", to?.ToString("O")), ("agent", agent));
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await response.Content.CopyToAsync(destination, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Reads a paged listing to its end, following each page's <c>Link: &lt;…&gt;; rel="next"</c>.</summary>
    private async Task<IReadOnlyList<T>> ListAllAsync<T>(string path, CancellationToken cancellationToken)
    {
        var all = new List<T>();
        string? next = path;
        while (next is not null)
        {
            using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, next), HttpCompletionOption.ResponseContentRead, cancellationToken);
            all.AddRange(await response.Content.ReadFromJsonAsync<List<T>>(BrokerJson.Options, cancellationToken) ?? []);
            next = NextLink(response);
        }

        return all;
    }

    private static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        foreach (var value in values.SelectMany(v => v.Split(',')))
        {
            var parts = value.Split(';', StringSplitOptions.TrimEntries);
            if (parts.Length > 1 && parts[0].StartsWith('<') && parts[0].EndsWith('>') && parts.Skip(1).Any(p => p == "rel=\"next\""))
            {
                // Relative to the API root: the broker writes "/v1/...", the client's base address may carry a path prefix.
                return parts[0][1..^1].TrimStart('/');
            }
        }

        return null;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            message.Content = JsonContent.Create(body, body.GetType(), options: BrokerJson.Options);
        }

        using var response = await SendRawAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(BrokerJson.Options, cancellationToken)
            ?? throw new BrokerClientException((int)response.StatusCode, "empty_response", "The broker returned an empty response.");
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage message, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, completion, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new BrokerClientException(0, "broker_unreachable", $"The broker at {_http.BaseAddress} could not be reached.", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BrokerClientException(0, "broker_timeout", $"The broker at {_http.BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s.", exception);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var (code, detail) = await ReadProblemAsync(response, cancellationToken);
            throw new BrokerClientException((int)response.StatusCode, code, detail);
        }
    }

    private static async Task<(string Code, string Detail)> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var root = document.RootElement;
            var code = root.TryGetProperty("code", out var c) ? c.GetString() : null;
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() : root.TryGetProperty("title", out var t) ? t.GetString() : null;
            return (code ?? $"http_{(int)response.StatusCode}", detail ?? response.ReasonPhrase ?? "The broker refused the call.");
        }
        catch (JsonException)
        {
            return ($"http_{(int)response.StatusCode}", response.ReasonPhrase ?? "The broker refused the call.");
        }
    }

    private static string Query(params (string Key, string? Value)[] pairs)
    {
        var present = pairs.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}").ToList();
        return present.Count == 0 ? string.Empty : "?" + string.Join('&', present);
    }
}
