package dev.driftless.render.domain;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The applications of a catalog whose {@code spec.dependsOn} can be met: every application they depend on is in the
 * catalog (and kept), and no chain of dependencies comes back to where it started. Each application left out is
 * reported with why: the name that is missing, or the cycle, named in full.
 */
public final class Dependencies {

    private Dependencies() {}

    /** The applications that are kept; {@code errors} gets one line per application left out. */
    public static List<Application> resolvable(List<Application> applications, List<String> errors) {
        Map<String, Application> byName = new LinkedHashMap<>();
        applications.forEach(app -> byName.put(app.name(), app));
        Set<String> inCycle = new HashSet<>();
        for (Application app : applications) {
            if (inCycle.contains(app.name())) {
                continue;
            }
            List<String> cycle = cycleFrom(app.name(), byName, new ArrayList<>(), new HashSet<>());
            if (!cycle.isEmpty()) {
                String named = String.join(" → ", cycle);
                for (String member : cycle.subList(0, cycle.size() - 1)) {
                    if (inCycle.add(member)) {
                        errors.add(byName.get(member).source() + ": spec.dependsOn: a cycle (" + named
                                + "); none of them is rendered");
                    }
                }
            }
        }
        inCycle.forEach(byName::remove);
        // what depends on something missing (or left out) is left out too, until nothing changes
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Application app : List.copyOf(byName.values())) {
                for (String dependency : app.target().dependsOn()) {
                    Application other = byName.get(dependency);
                    if (other != null
                            && !other.target().cluster().equals(app.target().cluster())) {
                        errors.add(app.source() + ": spec.dependsOn: " + dependency + " deploys to cluster "
                                + other.target().cluster() + ", not "
                                + app.target().cluster()
                                + " (dependencies are on the same cluster); " + app.name() + " is not rendered");
                        byName.remove(app.name());
                        changed = true;
                        break;
                    }
                    if (other != null
                            && app.declaredIn() != null
                            && app.name().contains(".")
                            && !other.target()
                                    .project()
                                    .name()
                                    .equals(app.target().project().name())) {
                        // what it waits for is shown with the other's health and commit: only within its project
                        errors.add(app.source() + ": spec.dependsOn: " + dependency + " is not in project "
                                + app.target().project().name()
                                + " (an application of a team's namespace depends only on its own project's); "
                                + app.name() + " is not rendered");
                        byName.remove(app.name());
                        changed = true;
                        break;
                    }
                    if (!byName.containsKey(dependency)) {
                        errors.add(app.source() + ": spec.dependsOn: " + dependency
                                + (inCycle.contains(dependency)
                                        ? " is in a dependency cycle"
                                        : " is not in the catalog (or is declared with errors)")
                                + "; " + app.name() + " is not rendered");
                        byName.remove(app.name());
                        changed = true;
                        break;
                    }
                }
            }
        }
        return List.copyOf(byName.values());
    }

    /** A path from {@code name} back to a name on it (the cycle, its first name repeated at the end), else empty. */
    private static List<String> cycleFrom(
            String name, Map<String, Application> byName, List<String> path, Set<String> done) {
        int at = path.indexOf(name);
        if (at >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
            cycle.add(name);
            return cycle;
        }
        if (done.contains(name) || !byName.containsKey(name)) {
            return List.of();
        }
        path.add(name);
        for (String dependency : byName.get(name).target().dependsOn()) {
            List<String> cycle = cycleFrom(dependency, byName, path, done);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        done.add(name);
        return List.of();
    }
}
