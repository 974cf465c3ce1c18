using AgentAccessBroker.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AgentAccessBroker.Server.WebConsole.Pages;

/// <summary>The console's front door: approvers land on their approvals, everyone else on the tasks.</summary>
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => Redirect(User.IsInRole(nameof(PrincipalRole.Approver)) ? "/approvals" : "/tasks");
}
