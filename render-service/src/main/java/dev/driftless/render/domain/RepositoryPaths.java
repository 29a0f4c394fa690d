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
}
