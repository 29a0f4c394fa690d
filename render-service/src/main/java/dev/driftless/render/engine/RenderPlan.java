package dev.driftless.render.engine;

import java.util.List;
import java.util.SortedSet;

/**
 * How an application is rendered at one commit, worked out before rendering: the renderer, and every repository
 * path the render reads (the application's path, Kustomize bases and patches outside it, Helm value files). A push
 * that changes none of these paths cannot change the render, and the Git object ids at these paths are the render
 * cache's key.
 *
 * @param renderer {@code directory}, {@code kustomize} or {@code helm}
 * @param inputs repository paths read, directories or files
 * @param remoteReferences allow-listed remote bases or chart repositories the render will fetch (such a render is
 *     never served from the cache)
 * @param buildDependencies whether Helm must fetch chart dependencies first
 */
public record RenderPlan(
        String renderer, SortedSet<String> inputs, List<String> remoteReferences, boolean buildDependencies) {}
