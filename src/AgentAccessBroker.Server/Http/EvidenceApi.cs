using AgentAccessBroker.Server.Evidence;

namespace AgentAccessBroker.Server.Http;

/// <summary><c>GET /v1/evidence</c>: a signed evidence pack for a task or a period, as a zip archive (auditors and admins).</summary>
internal static class EvidenceApi
{
    public static void Map(RouteGroupBuilder v1) =>
        v1.MapGet("/evidence", async (string? task, DateTimeOffset? from, DateTimeOffset? to, string? agent, HttpContext http, EvidencePackWriter writer, CancellationToken ct) =>
        {
            var pack = await writer.BuildAsync(new EvidenceScope(task, from, to, agent), ct);

            // Built in memory first: a failure then still becomes a ProblemDetails instead of a truncated archive.
            using var archive = new MemoryStream();
            await pack.WriteZipAsync(archive, ct);
            http.Response.ContentType = "application/zip";
            http.Response.Headers.ContentDisposition = "attachment; filename=\"evidence.zip\"";
            archive.Position = 0;
            await archive.CopyToAsync(http.Response.Body, ct);
            return Results.Empty;
        }).RequireAuthorization(Roles.Auditor).WithName("EvidencePack");
}
