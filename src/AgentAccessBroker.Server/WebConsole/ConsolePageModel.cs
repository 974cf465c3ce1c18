using AgentAccessBroker.Brokering;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Server.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AgentAccessBroker.Server.WebConsole;

/// <summary>What every signed-in console page has: the person, and one line of outcome after a form was sent.</summary>
public abstract class ConsolePageModel : PageModel
{
    /// <summary>The signed-in person, re-read from the store on this request.</summary>
    internal Principal Caller => HttpContext.Caller();

    /// <summary>What the last form did, shown in a status region.</summary>
    public string? Notice { get; protected set; }

    /// <summary>Why the last form did nothing, shown in an alert region.</summary>
    public string? Problem { get; protected set; }

    /// <summary>Runs a form's action; a broker refusal becomes <see cref="Problem"/> instead of an error page.</summary>
    protected async Task RunAsync(Func<Task<string>> action)
    {
        try
        {
            Notice = await action();
        }
        catch (BrokerError error)
        {
            Problem = error.Message;
        }
    }
}
