# SPDX-License-Identifier: GPL-2.0-only
# loadavg: the calc_load unit test compares with exp() from libm.
$(BUILD)/tests/test_calc_load: PKG_LIBS += -lm
