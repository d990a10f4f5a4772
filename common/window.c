/* window: SDL's video started for a program that shows a window */
#include <stdlib.h>
#include <string.h>

#define SDL_MAIN_HANDLED
#include <SDL.h>

#include "util.h"
#include "window.h"

int
window_open(char *err, int errlen)
{
	static const char *const blind[] = { "offscreen", "dummy", "evdev" };
	const char *name;
	int i, j;

	err[0] = '\0';
	if (getenv("SDL_VIDEODRIVER"))
		return SDL_Init(SDL_INIT_VIDEO) < 0 ?
		    seterr(err, errlen, "%s", SDL_GetError()) : 0;
	for (i = 0; i < SDL_GetNumVideoDrivers(); i++) {
		name = SDL_GetVideoDriver(i);
		for (j = 0; j < (int)LEN(blind) && strcmp(name, blind[j]); j++)
			;
		if (j < (int)LEN(blind))
			continue;
		SDL_SetHint(SDL_HINT_VIDEODRIVER, name);
		if (SDL_Init(SDL_INIT_VIDEO) == 0)
			return 0;
		if (err[0] == '\0')     /* the first is the likeliest, X11 */
			seterr(err, errlen, "%s", SDL_GetError());
	}
	return err[0] ? -1 : seterr(err, errlen, "no video driver");
}
