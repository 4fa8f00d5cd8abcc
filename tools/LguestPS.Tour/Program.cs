using LguestPS.Tour;

/*
 * tools/tour.sh [--renumber]
 *   writes docs/tour.md from the engine's tour stops; --renumber first gives
 *   the stops fresh numbers (0, 10, 20, ...) in reading order.
 */
string root = args.FirstOrDefault(a => !a.StartsWith("--")) ?? Directory.GetCurrentDirectory();
if (args.Contains("--renumber")) Console.WriteLine($"renumbered {Tour.Renumber(root)} stops");
var stops = Tour.Read(root);
File.WriteAllText(Path.Combine(root, Tour.Document), Tour.Generate(stops));
Console.WriteLine($"wrote {Tour.Document}: {stops.Count} stops");
