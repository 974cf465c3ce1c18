using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AgentAccessBroker.Server.WebConsole.Pages;

/// <summary>Ends the console session (a POST with the antiforgery token, so no other site can sign someone out).</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleHost.CookieScheme);
        return Redirect("/signin?signedout=1");
    }
}
