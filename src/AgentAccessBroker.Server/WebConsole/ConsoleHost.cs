using System.Reflection;
using System.Security.Claims;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Client;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Server.Http;
using AgentAccessBroker.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.AspNetCore.HttpOverrides;

namespace AgentAccessBroker.Server.WebConsole;

/// <summary>
/// The web console under <c>/</c>: server-rendered Razor Pages, signed in with a cookie that single sign-on (OpenID
/// Connect, code + PKCE) or a one-time link from <c>aab console</c> sets. The /v1 API keeps its bearer tokens.
/// </summary>
internal static partial class ConsoleHost
{
    public const string CookieScheme = "aab-console";
    public const string OidcScheme = "oidc";

    /// <summary>No script but our own file, no inline style, no framing, forms only back to the broker.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Add(IServiceCollection services, ConsoleOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<SignInLinks>();
        services.AddSingleton<PolicyLoadStatus>();
        var authentication = services.AddAuthentication().AddCookie(CookieScheme, o =>
        {
            // Always Secure, on plain HTTP too: the console answers plain HTTP only on loopback (ConsoleTransport), where
            // browsers treat http://127.0.0.1 and http://localhost as a secure context and keep Secure cookies.
            o.Cookie.Name = "aab-console";
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.Path = "/";
            o.ExpireTimeSpan = options.SessionLifetime;
            o.SlidingExpiration = true;
            o.LoginPath = "/signin";
            o.LogoutPath = "/signout";
            o.AccessDeniedPath = "/forbidden";
            o.ReturnUrlParameter = "returnUrl";
            o.Events.OnValidatePrincipal = ValidateSessionAsync;
        });
        if (options.OidcEnabled)
        {
            authentication.AddOpenIdConnect(OidcScheme, o => ConfigureOidc(o, options));
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(ConsolePolicies.Person, p => p.AddAuthenticationSchemes(CookieScheme).RequireAuthenticatedUser())
            .AddPolicy(ConsolePolicies.Approver, p => p.AddAuthenticationSchemes(CookieScheme).RequireRole(nameof(PrincipalRole.Approver)))
            .AddPolicy(ConsolePolicies.Auditor, p => p.AddAuthenticationSchemes(CookieScheme).RequireRole(nameof(PrincipalRole.Auditor), nameof(PrincipalRole.Admin)))
            .AddPolicy(ConsolePolicies.Admin, p => p.AddAuthenticationSchemes(CookieScheme).RequireRole(nameof(PrincipalRole.Admin)));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "aab-af";
            o.Cookie.HttpOnly = true;
            // Not Always here: antiforgery throws on any request that is not HTTPS when its cookie policy is Always. The
            // cookie policy middleware (UseHeaders) makes this cookie Secure on every request instead.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__af";
            o.HeaderName = null;
            o.SuppressXFrameOptionsHeader = true;
        });
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/WebConsole/Pages";
            o.Conventions.AuthorizeFolder("/", ConsolePolicies.Person);
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.AllowAnonymousToPage("/Link");
            o.Conventions.AllowAnonymousToPage("/Forbidden");
        }).AddApplicationPart(typeof(ConsoleHost).Assembly); // the host's entry assembly is the CLI's, not this one
    }

    /// <summary>
    /// The scheme a TLS proxy on loopback reports (so cookies get their Secure flag behind it), then security headers
    /// on every page and asset (not on /v1, which answers JSON only).
    /// </summary>
    public static void UseHeaders(WebApplication app)
    {
        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedProto };
        app.UseForwardedHeaders(forwarded);
        // Every cookie the console sets (session, antiforgery, single sign-on correlation and nonce) is Secure and HttpOnly.
        app.UseCookiePolicy(new CookiePolicyOptions { Secure = CookieSecurePolicy.Always, HttpOnly = HttpOnlyPolicy.Always, MinimumSameSitePolicy = SameSiteMode.Lax });
        app.Use(SecurityHeadersAsync);
        app.Use(RequireSecureTransportAsync);
    }

    /// <summary>Console pages and assets over plain HTTP from another machine are refused (see <see cref="ConsoleTransport"/>).</summary>
    private static async Task RequireSecureTransportAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ConsoleEndpoint>() is not null && !ConsoleTransport.IsAllowed(context))
        {
            Log.PlainHttpRefused(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleHost)));
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync(ConsoleTransport.RefusalText, context.RequestAborted);
            return;
        }

        await next(context);
    }

    private static async Task SecurityHeadersAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            if (!context.Request.Path.StartsWithSegments("/assets"))
            {
                headers.CacheControl = "no-store";
            }
        }

        await next(context);
    }

    public static void Map(WebApplication app)
    {
        _ = app.Services.GetRequiredService<PolicyLoadStatus>();
        if (app.Services.GetService<Hosting.BrokerServerOptions>() is { } server && ConsoleTransport.PlainHttpBeyondLoopback(server.Urls) is { Count: > 0 } exposed)
        {
            Log.PlainHttpBeyondLoopback(app.Logger, string.Join(";", exposed));
        }

        app.MapRazorPages().WithMetadata(ConsoleEndpoint.Instance);
        MapAsset(app, "console.css", "text/css; charset=utf-8");
        MapAsset(app, "console.js", "text/javascript; charset=utf-8");

        app.MapPost("/v1/console/links", async (ConsoleLinkBody? body, HttpContext http, IBrokerStore store, SignInLinks links, ConsoleOptions options, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var id = string.IsNullOrEmpty(body?.Principal) ? caller.Id : body.Principal;
            if (id != caller.Id && !caller.Has(PrincipalRole.Admin))
            {
                throw BrokerError.Forbidden("not_admin", "Only an admin can make a sign-in link for someone else.");
            }

            var principal = await store.GetPrincipalAsync(id, ct) ?? throw BrokerError.NotFound("principal", id);
            if (!ConsoleIdentity.IsPerson(principal))
            {
                throw BrokerError.Invalid("not_a_person", $"'{id}' is an agent: only people sign in to the console.");
            }

            var (token, expiresAt) = links.Create(principal.Id, options.LinkLifetime);
            await store.AppendAsync(AuditEntries.ConsoleLinkIssued(caller.Id, principal.Id, expiresAt), ct);
            var url = new Uri($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/signin/link?token={Uri.EscapeDataString(token)}");
            return Results.Ok(new ConsoleLinkView(principal.Id, url, expiresAt));
        }).RequireAuthorization().WithName("CreateConsoleLink");
    }

    private static void MapAsset(WebApplication app, string name, string contentType)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("console/" + name)
            ?? throw new InvalidOperationException($"The console asset {name} is not embedded.");
        using var reader = new StreamReader(stream);
        var text = name.EndsWith(".css", StringComparison.Ordinal) ? reader.ReadToEnd() + ScoreBar.WidthClasses() : reader.ReadToEnd();
        app.MapGet("/assets/" + name, (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Text(text, contentType);
        }).AllowAnonymous().ExcludeFromDescription().WithMetadata(ConsoleEndpoint.Instance);
    }

    private static void ConfigureOidc(OpenIdConnectOptions o, ConsoleOptions options)
    {
        o.Authority = options.OidcAuthority!.ToString();
        o.ClientId = options.OidcClientId;
        o.ClientSecret = options.OidcClientSecret;
        o.ResponseType = "code";
        o.ResponseMode = "query";
        o.UsePkce = true;
        o.SignInScheme = CookieScheme;
        o.CallbackPath = "/signin-oidc";
        o.RequireHttpsMetadata = options.OidcRequireHttpsMetadata;
        o.MapInboundClaims = false;
        o.GetClaimsFromUserInfoEndpoint = true;
        o.SaveTokens = false;
        // The provider sends the browser back with a top-level GET (response_mode=query), which carries Lax cookies:
        // no need for SameSite=None, which browsers accept only on Secure cookies.
        o.CorrelationCookie.SameSite = SameSiteMode.Lax;
        o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.Always;
        o.NonceCookie.SameSite = SameSiteMode.Lax;
        o.NonceCookie.SecurePolicy = CookieSecurePolicy.Always;
        o.Scope.Clear();
        o.Scope.Add("openid");
        o.Scope.Add("profile");
        o.Scope.Add("email");
        o.Events.OnTicketReceived = MatchPersonAsync;
        o.Events.OnRemoteFailure = context =>
        {
            Log.SignInFailed(context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleHost)), context.Failure?.GetType().Name ?? "unknown");
            context.HandleResponse();
            context.Response.Redirect("/signin?failed=1");
            return Task.CompletedTask;
        };
    }

    /// <summary>After the provider vouched for someone: sign in the broker person the configured claim names, or nobody.</summary>
    private static async Task MatchPersonAsync(TicketReceivedContext context)
    {
        var services = context.HttpContext.RequestServices;
        var options = services.GetRequiredService<ConsoleOptions>();
        var store = services.GetRequiredService<IBrokerStore>();
        var value = context.Principal?.FindFirst(options.OidcClaim)?.Value;
        var subject = context.Principal?.FindFirst("sub")?.Value;
        var ct = context.HttpContext.RequestAborted;
        var person = await ConsoleIdentity.MatchAsync(value, options.OidcClaim, store, services.GetRequiredService<IPolicySource>().Current, ct);
        if (person is null)
        {
            Log.UnknownPerson(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleHost)), options.OidcClaim);
            context.HandleResponse();
            context.Response.Redirect("/signin?unknown=1");
            return;
        }

        context.Principal = ConsoleIdentity.For(person, "oidc");
        await store.AppendAsync(AuditEntries.ConsoleSignedIn(person.Id, "oidc", subject), ct);
    }

    /// <summary>Every request re-reads the person, so a removed principal or a changed role takes effect at once.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var store = context.HttpContext.RequestServices.GetRequiredService<IBrokerStore>();
        var person = id is null ? null : await store.GetPrincipalAsync(id, context.HttpContext.RequestAborted);
        if (!ConsoleIdentity.IsPerson(person))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
            return;
        }

        CallerPrincipal.Attach(context.HttpContext, person!);
        context.ReplacePrincipal(ConsoleIdentity.For(person!, context.Principal!.FindFirstValue(ConsoleIdentity.MethodClaim) ?? "link"));
    }

    /// <summary>Marks the console's pages and assets (not /v1, Slack or MCP endpoints) for the transport check.</summary>
    private sealed class ConsoleEndpoint
    {
        public static readonly ConsoleEndpoint Instance = new();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2603, Level = LogLevel.Warning, Message = "The web console listens on plain HTTP beyond this machine ({Urls}): its cookies are Secure, so browsers elsewhere cannot sign in and every console request from another machine is refused. Put a TLS proxy in front (setting X-Forwarded-Proto) or listen on 127.0.0.1")]
        public static partial void PlainHttpBeyondLoopback(ILogger logger, string urls);

        [LoggerMessage(EventId = 2604, Level = LogLevel.Warning, Message = "Refused a console request over plain HTTP from another machine: use HTTPS")]
        public static partial void PlainHttpRefused(ILogger logger);

        [LoggerMessage(EventId = 2601, Level = LogLevel.Warning, Message = "Console sign-in refused: no broker person matches the identity provider's {Claim} claim")]
        public static partial void UnknownPerson(ILogger logger, string claim);

        [LoggerMessage(EventId = 2602, Level = LogLevel.Warning, Message = "Console single sign-on failed ({Failure})")]
        public static partial void SignInFailed(ILogger logger, string failure);
    }
}
