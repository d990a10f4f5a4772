/* window: SDL's video started for a program that shows a window */
#ifndef WINDOW_H
#define WINDOW_H

/* Start SDL's video with the driver SDL_VIDEODRIVER names, or else the
 * first of SDL's that starts, leaving out those that show nothing to
 * anyone (offscreen, dummy, evdev), which SDL itself would fall back to.
 * 0, or -1 with why (SDL's reason for the likeliest driver, X11) in err. */
int window_open(char *err, int errlen);

#endif
