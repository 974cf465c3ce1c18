namespace AgentAccessBroker.Server.Hosting;

/// <summary>Writes secrets the broker keeps on disk (tokens, key material) readable by the owner only, from creation on.</summary>
internal static class OwnerOnlyFile
{
    public static void Write(string path, string content, bool overwrite)
    {
        var options = new FileStreamOptions { Mode = overwrite ? FileMode.Create : FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }
}
