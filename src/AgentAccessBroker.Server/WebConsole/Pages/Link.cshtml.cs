using AgentAccessBroker.Audit;
using AgentAccessBroker.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AgentAccessBroker.Server.WebConsole.Pages;

/// <summary>
/// Redeems a one-time sign-in link. Opening the link only asks for confirmation; the POST uses it up, so a link
/// scanner or a preview that fetches the URL cannot burn it or sign anyone in.
/// </summary>
public sealed class LinkModel(SignInLinks links, IBrokerStore store) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Token { get; set; }

    public string? Principal { get; private set; }

    public void OnGet()
    {
        Principal = links.Peek(Token);
        if (Principal is null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var id = links.Redeem(Token);
        var person = id is null ? null : await store.GetPrincipalAsync(id, cancellationToken);
        if (!ConsoleIdentity.IsPerson(person))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        await HttpContext.SignInAsync(ConsoleHost.CookieScheme, ConsoleIdentity.For(person!, "link"));
        await store.AppendAsync(AuditEntries.ConsoleSignedIn(person!.Id, "link", null), cancellationToken);
        return Redirect("/");
    }
}
