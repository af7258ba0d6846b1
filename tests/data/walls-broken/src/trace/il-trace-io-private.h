/* Private to trace. */
#pragma once
