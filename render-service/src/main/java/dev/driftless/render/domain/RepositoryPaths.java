package dev.driftless.render.domain;

/** Application paths inside a repository: relative, normalised, never leaving the checkout. */
public final class RepositoryPaths {

    private RepositoryPaths() {}

    /**
     * The normal form of a path ({@code ""} for the root), without leading, trailing or doubled slashes.
     *
     * @throws RenderFailure with {@link Reason#PathEscapesRepository} for absolute paths, {@code ..} segments,
     *     backslashes or control characters
     */
    public static String normalise(String path) throws RenderFailure {
        if (path == null) {
            return "";
        }
        if (path.startsWith("/") || path.contains("\\") || path.chars().anyMatch(c -> c < 0x20)) {
            throw new RenderFailure(
                    Reason.PathEscapesRepository, "path " + path + " must be relative to the repository");
        }
        StringBuilder normal = new StringBuilder();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw new RenderFailure(Reason.PathEscapesRepository, "path " + path + " leaves the repository");
            }
            if (!normal.isEmpty()) {
                normal.append('/');
            }
            normal.append(segment);
        }
        return normal.toString();
    }

    /**
     * A path written relative to a directory of the repository ({@code ../base} from {@code apps/web}), resolved to
     * its normal form from the repository root ({@code apps/base}).
     *
     * @throws RenderFailure with {@link Reason#PathEscapesRepository} when it is absolute or climbs above the root
     */
    public static String resolve(String directory, String relative) throws RenderFailure {
        if (relative == null || relative.isBlank()) {
            throw new RenderFailure(Reason.PathEscapesRepository, "an empty path in " + directory);
        }
        if (relative.startsWith("/")
                || relative.contains("\\")
                || relative.chars().anyMatch(c -> c < 0x20)
                || relative.matches("^[A-Za-z]:.*")) {
            throw new RenderFailure(
                    Reason.PathEscapesRepository,
                    relative + " (in " + (directory.isEmpty() ? "/" : directory)
                            + ") must be relative to the repository");
        }
        java.util.ArrayDeque<String> segments = new java.util.ArrayDeque<>();
        for (String segment : (directory + "/" + relative).split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    throw new RenderFailure(
                            Reason.PathEscapesRepository,
                            relative + " (in " + (directory.isEmpty() ? "/" : directory) + ") leaves the repository");
                }
                segments.removeLast();
            } else {
                segments.addLast(segment);
            }
        }
        return String.join("/", segments);
    }

    /** Whether {@code path} is {@code directory} or lies under it ({@code ""} is the root, which holds everything). */
    public static boolean isUnder(String path, String directory) {
        return directory.isEmpty() || path.equals(directory) || path.startsWith(directory + "/");
    }
}
