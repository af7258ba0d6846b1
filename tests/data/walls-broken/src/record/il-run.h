/* A record header: render may not use it. */
#pragma once
