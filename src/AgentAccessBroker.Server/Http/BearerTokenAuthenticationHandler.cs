using System.Security.Claims;
using System.Text.Encodings.Web;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Client;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Server.Http;

/// <summary>Authenticates <c>Authorization: Bearer</c> tokens against their stored SHA-256 hashes.</summary>
internal sealed class BearerTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder, PrincipalRegistry registry)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var principal = await registry.AuthenticateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (principal is null)
        {
            return AuthenticateResult.Fail("Unknown token.");
        }

        CallerPrincipal.Attach(Context, principal);
        var identity = new ClaimsIdentity(CallerPrincipal.ClaimsFor(principal), SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var header = Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        var (code, detail) = token switch
        {
            null or "" => ("unauthenticated", "No token was sent: authenticate with an agent's token (aaba_…) or a person's token (aabu_…)."),
            _ when TokenKinds.IsTaskToken(token) => ("task_token_as_bearer",
                "A task token (aabt_…) was sent in place of the caller's token: authenticate with the agent's token (aaba_…) and send the task token as the task token (AAB_TASK_TOKEN)."),
            _ => ("unauthenticated", "The broker does not know this token: it was never issued here, was mistyped, or belongs to another broker."),
        };
        await Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, code, detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "forbidden",
            Context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } id
                ? $"'{id}' (role {string.Join(", ", Context.User.FindAll(ClaimTypes.Role).Select(r => r.Value.ToLowerInvariant()))}) may not do this."
                : "This token does not allow this operation.");
}
