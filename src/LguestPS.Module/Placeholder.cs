namespace LguestPS;
internal static class Placeholder { }
