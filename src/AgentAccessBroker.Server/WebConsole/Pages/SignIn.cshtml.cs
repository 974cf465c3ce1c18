using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AgentAccessBroker.Server.WebConsole.Pages;

/// <summary>The way in: single sign-on when an identity provider is configured, otherwise a one-time link.</summary>
public sealed class SignInModel(ConsoleOptions options) : PageModel
{
    public bool Sso => options.OidcEnabled;

    public string? Message { get; private set; }

    public void OnGet(bool unknown, bool failed, bool signedOut)
    {
        Message = unknown ? "Your identity provider vouched for you, but no broker person matches you: ask an admin to add you."
            : failed ? "Single sign-on did not complete. Try again."
            : signedOut ? "You are signed out."
            : null;
        if (unknown || failed)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
        }
    }

    /// <summary>Starts single sign-on (a plain link, not a form: the provider's page is outside this site's form-action).</summary>
    public IActionResult OnGetSso(string? returnUrl) => Sso
        ? Challenge(new AuthenticationProperties { RedirectUri = Url.IsLocalUrl(returnUrl) ? returnUrl : "/" }, ConsoleHost.OidcScheme)
        : NotFound();
}
