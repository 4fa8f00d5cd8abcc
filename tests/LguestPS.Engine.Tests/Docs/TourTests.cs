using LguestPS.Engine.Tests.EndToEnd;
using TourTool = LguestPS.Tour.Tour;

namespace LguestPS.Engine.Tests.Docs;

/// <summary>The guided tour reads in order (STYLE.md): unique stops, increasing as read, and docs/tour.md generated from them.</summary>
public class TourTests
{
    private static readonly string Root = TestGuest.RepoRoot;

    [Fact]
    public void StopsAreUniqueIncreaseInReadingOrderAndAreAllPlaced()
    {
        var stops = TourTool.Read(Root);
        Assert.True(stops.Count > 50, $"only {stops.Count} tour stops found: is the reader broken?");
        var problems = TourTool.Check(Root, stops);
        Assert.True(problems.Count == 0, "the tour is out of order (tools/tour.sh --renumber renumbers it):\n" + string.Join("\n", problems));
    }

    [Fact]
    public void TheTourDocumentIsCurrent()
    {
        string expected = TourTool.Generate(TourTool.Read(Root));
        string actual = File.ReadAllText(Path.Combine(Root, TourTool.Document));
        Assert.True(expected == actual, $"{TourTool.Document} is out of date: run tools/tour.sh and commit what it writes");
    }

    [Fact]
    public void TheCheckCatchesAStopUsedTwiceOneOutOfOrderAndAnUnplacedFile()
    {
        string root = Directory.CreateTempSubdirectory("tour").FullName;
        try
        {
            void Write(string file, string text)
            {
                string path = Path.Combine(root, TourTool.EngineDir, file);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text);
            }
            Write("Cli/Program.cs", "/*L:020\n * first\n */\nclass A {}\n/*L:010\n * second, numbered lower\n */\nclass B {}\n");
            Write("Memory/Layout.cs", "/*L:020\n * the same number again\n */\nclass C {}\n");
            Write("Extra/Unplaced.cs", "/*L:900\n * a file the order does not know\n */\nclass D {}\n// see the seed's L:217, which is no stop\n");
            var stops = TourTool.Read(root);
            Assert.Equal([20, 10, 20, 900], stops.Select(s => s.Number));
            Assert.Equal("first", stops[0].Text);
            Assert.Equal("class A {}", stops[0].Code);
            var problems = TourTool.Check(root, stops);
            Assert.Contains(problems, p => p.StartsWith("L:020 is used 2 times"));
            Assert.Contains(problems, p => p.StartsWith("L:010 (Cli/Program.cs:5) is read after L:020"));
            Assert.Contains(problems, p => p.StartsWith("Extra/Unplaced.cs has tour stops but no place"));
            Assert.Contains(problems, p => p.StartsWith("TourOrder lists Kvm/KvmSystem.cs, which has no tour stop (it does not exist)"));
        }
        finally { Directory.Delete(root, true); }
    }
}
