using System.Globalization;
using System.Text.Json;
using AgentAccessBroker.Credentials;
using Azure;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// A fully read response, detached from the transport so retries never hold connections. The body may carry a secret
/// (Graph <c>addPassword</c>), so <see cref="ToString"/> leaves it out.
/// </summary>
internal sealed class AzureResponse
{
    private AzureResponse(int status, BinaryData body, string? errorCode, string? errorMessage, TimeSpan? retryAfter)
    {
        Status = status;
        Body = body;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        RetryAfter = retryAfter;
    }

    public int Status { get; }

    public BinaryData Body { get; }

    /// <summary>ARM's and Graph's <c>error.code</c> (<c>RoleAssignmentExists</c>, <c>PrincipalNotFound</c>...).</summary>
    public string? ErrorCode { get; }

    public string? ErrorMessage { get; }

    /// <summary>How long the service asked us to wait (<c>Retry-After</c> or <c>x-ms-retry-after-ms</c>).</summary>
    public TimeSpan? RetryAfter { get; }

    public bool IsSuccess => Status is >= 200 and < 300;

    public static AzureResponse From(Response response, DateTimeOffset now)
    {
        var body = response.Content ?? BinaryData.Empty;
        string? code = null, message = null;
        if (response.Status >= 400)
        {
            (code, message) = ReadError(body);
        }

        return new AzureResponse(response.Status, body, code, message, ReadRetryAfter(response, now));
    }

    public JsonDocument Json() => JsonDocument.Parse(Body.ToMemory());

    /// <summary>
    /// Turns a failed response into the exception the broker expects: a <see cref="CredentialRequestException"/> when
    /// the request cannot succeed as asked (4xx), otherwise an infrastructure fault. The text names the operation, the
    /// status and Azure's error code, never a body.
    /// </summary>
    public Exception ToException(string operation) => Failure(Status, ErrorCode, operation);

    /// <inheritdoc cref="ToException"/>
    public static Exception Failure(int status, string? errorCode, string operation)
    {
        var code = errorCode ?? "no error code";
        if (status is 400 or 403 or 404 or 409 or 412 or 422)
        {
            var hint = status == 403 ? " The broker's own identity is not allowed to do this (see infra/azure for the roles it may assign)." : string.Empty;
            return new CredentialRequestException(CredentialCode(errorCode, status), $"Azure refused to {operation}: HTTP {status} ({code}).{hint}");
        }

        return new RequestFailedException(status, $"Azure could not {operation}: HTTP {status} ({code}).", errorCode, null);
    }

    public override string ToString() => $"AzureResponse {{ Status = {Status}, ErrorCode = {ErrorCode} }}";

    private static string CredentialCode(string? errorCode, int status)
    {
        if (string.IsNullOrEmpty(errorCode))
        {
            return "azure_http_" + status.ToString(CultureInfo.InvariantCulture);
        }

        // RoleAssignmentExists -> azure_role_assignment_exists; Authorization_RequestDenied -> azure_authorization_request_denied
        var chars = new List<char>("azure_");
        for (var i = 0; i < errorCode.Length; i++)
        {
            var c = errorCode[i];
            if (char.IsUpper(c) && i > 0 && chars[^1] != '_' && !char.IsUpper(errorCode[i - 1]))
            {
                chars.Add('_');
            }

            chars.Add(char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }

        return new string(chars.ToArray());
    }

    private static (string? Code, string? Message) ReadError(BinaryData body)
    {
        try
        {
            using var json = JsonDocument.Parse(body.ToMemory());
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object)
            {
                var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                return (code, message is { Length: > 300 } ? message[..300] + "..." : message);
            }
        }
        catch (JsonException)
        {
            // Gateways in front of ARM answer some faults with HTML or nothing at all.
        }

        return (null, null);
    }

    private static TimeSpan? ReadRetryAfter(Response response, DateTimeOffset now)
    {
        foreach (var header in new[] { "retry-after-ms", "x-ms-retry-after-ms" })
        {
            if (response.Headers.TryGetValue(header, out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0)
            {
                return TimeSpan.FromMilliseconds(value);
            }
        }

        if (!response.Headers.TryGetValue("Retry-After", out var retryAfter))
        {
            return null;
        }

        if (int.TryParse(retryAfter, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParseExact(retryAfter, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at > now ? at - now : TimeSpan.Zero
            : null;
    }
}
