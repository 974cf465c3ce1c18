namespace AgentAccessBroker.Connectors.Aws;

/// <summary>
/// An AWS call failed for a reason the caller cannot fix by narrowing the request (infrastructure, misconfiguration,
/// or a fault that outlasted every retry). The message names the call, role and AWS error code and carries no secret,
/// so the host may record it on the lease and in the audit trail.
/// </summary>
internal sealed class AwsCallException(string message, Exception innerException) : Exception(message, innerException);
