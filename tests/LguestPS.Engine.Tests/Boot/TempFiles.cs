namespace LguestPS.Engine.Tests.Boot;

/// <summary>A scratch directory for the images a test builds; removed with the test.</summary>
internal sealed class TempFiles : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lguestps-boot-").FullName;
    private int _n;

    public string Write(byte[] bytes, string name = "image")
    {
        string path = Path.Combine(_dir, $"{name}-{_n++}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string Dir => _dir;

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
