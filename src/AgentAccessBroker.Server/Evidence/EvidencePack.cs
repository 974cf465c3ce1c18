using System.IO.Compression;
using System.Text;

namespace AgentAccessBroker.Server.Evidence;

/// <summary>The files of an evidence pack, by name, ready to write to a directory or a zip archive.</summary>
public sealed class EvidencePack(IReadOnlyList<KeyValuePair<string, byte[]>> files)
{
    public IReadOnlyList<KeyValuePair<string, byte[]>> Files { get; } = files;

    public string Text(string name) => Encoding.UTF8.GetString(Files.Single(f => f.Key == name).Value);

    /// <summary>Writes the files into <paramref name="directory"/>, which must not hold a pack already.</summary>
    public void WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        if (File.Exists(Path.Combine(directory, EvidenceManifest.FileName)))
        {
            throw new IOException($"{directory} already holds an evidence pack; choose an empty directory.");
        }

        foreach (var (name, content) in Files)
        {
            File.WriteAllBytes(Path.Combine(directory, name), content);
        }
    }

    public async Task WriteZipAsync(Stream destination, CancellationToken cancellationToken)
    {
        await using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, content) in Files)
        {
            var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
            await using var stream = await entry.OpenAsync(cancellationToken);
            await stream.WriteAsync(content, cancellationToken);
        }
    }

    /// <summary>Extracts a pack received as a zip into <paramref name="directory"/>; only plain file names are accepted.</summary>
    public static async Task ExtractZipAsync(Stream zipStream, string directory, CancellationToken cancellationToken)
    {
        var files = new List<KeyValuePair<string, byte[]>>();
        await using (var zip = new ZipArchive(zipStream, ZipArchiveMode.Read, leaveOpen: true))
        {
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName != Path.GetFileName(entry.FullName) || entry.FullName is "" or "." or "..")
                {
                    throw new IOException($"The evidence archive holds an unexpected entry '{entry.FullName}'.");
                }

                await using var stream = await entry.OpenAsync(cancellationToken);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, cancellationToken);
                files.Add(KeyValuePair.Create(entry.FullName, buffer.ToArray()));
            }
        }

        new EvidencePack(files).WriteTo(directory);
    }
}
