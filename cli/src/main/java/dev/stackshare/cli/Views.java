package dev.stackshare.cli;

import dev.stackshare.protocol.Snapshot;

final class Views {
    private Views() {
    }

    static String check(String view) {
        if (!Snapshot.isViewName(view)) {
            throw new UserError("view name '" + view + "' is not valid: use letters, digits, '.', '_' and '-' (at most 64)");
        }
        return view;
    }
}
