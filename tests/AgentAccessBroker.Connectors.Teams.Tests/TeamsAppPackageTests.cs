using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json.Nodes;

namespace AgentAccessBroker.Connectors.Teams.Tests;

/// <summary>The Teams app manifest and its icons, as Teams' upload checks them: 192x192 colour, 32x32 white-on-transparent outline.</summary>
public sealed class TeamsAppPackageTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "AppPackage");

    [Fact]
    public void Manifest_BotAndIcons_Consistent()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json")))!.AsObject();

        Assert.Equal("1.17", manifest["manifestVersion"]!.GetValue<string>());
        Assert.True(Guid.TryParse(manifest["id"]!.GetValue<string>(), out _));
        var bot = Assert.Single(manifest["bots"]!.AsArray())!;
        Assert.Equal(manifest["id"]!.GetValue<string>(), bot["botId"]!.GetValue<string>());
        Assert.Contains("team", bot["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.True(manifest["name"]!["short"]!.GetValue<string>().Length <= 30);
        Assert.True(manifest["description"]!["short"]!.GetValue<string>().Length <= 80);
        Assert.True(manifest["description"]!["full"]!.GetValue<string>().Length <= 4000);
        Assert.Equal("color.png", manifest["icons"]!["color"]!.GetValue<string>());
        Assert.Equal("outline.png", manifest["icons"]!["outline"]!.GetValue<string>());
    }

    [Fact]
    public void ColorIcon_Is192Square()
    {
        var (width, height, _) = Decode(Path.Combine(Folder, "color.png"));

        Assert.Equal((192, 192), (width, height));
    }

    [Fact]
    public void OutlineIcon_Is32SquareWhiteOnTransparent()
    {
        var (width, height, pixels) = Decode(Path.Combine(Folder, "outline.png"));

        Assert.Equal((32, 32), (width, height));
        Assert.All(pixels, p => Assert.True(p.A == 0 || (p.R, p.G, p.B) == (255, 255, 255), $"pixel {p}"));
        Assert.Contains(pixels, p => p.A == 255);
        Assert.Contains(pixels, p => p.A == 0);
    }

    /// <summary>Decodes the 8-bit RGBA, non-interlaced PNGs the package ships (filter type 0 rows only).</summary>
    private static (int Width, int Height, List<(byte R, byte G, byte B, byte A)> Pixels) Decode(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        var width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16));
        var height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
        Assert.Equal(8, bytes[24]);
        Assert.Equal(6, bytes[25]);
        using var idat = new MemoryStream();
        for (var offset = 8; offset < bytes.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(bytes, offset + 4, 4);
            if (type == "IDAT")
            {
                idat.Write(bytes, offset + 8, length);
            }

            offset += 12 + length;
        }

        idat.Position = 0;
        using var inflater = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        inflater.CopyTo(raw);
        var data = raw.ToArray();
        var pixels = new List<(byte, byte, byte, byte)>(width * height);
        for (var y = 0; y < height; y++)
        {
            var row = y * (1 + (width * 4));
            Assert.Equal(0, data[row]);
            for (var x = 0; x < width; x++)
            {
                var p = row + 1 + (x * 4);
                pixels.Add((data[p], data[p + 1], data[p + 2], data[p + 3]));
            }
        }

        return (width, height, pixels);
    }
}
