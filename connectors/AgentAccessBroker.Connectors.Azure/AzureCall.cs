using Azure.Core;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>One Azure REST call. <see cref="Operation"/> names it in logs and errors; it never holds a secret.</summary>
/// <param name="RetryPrincipalNotFound">Also retry 400 <c>PrincipalNotFound</c>: a new service principal may not
/// have replicated to ARM yet.</param>
internal sealed record AzureCall(RequestMethod Method, Uri Uri, BinaryData? Body, string Operation, bool RetryPrincipalNotFound = false)
{
    public override string ToString() => $"{Method} {Operation}";
}
