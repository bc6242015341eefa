"""Where every control sits: each screen is the 8 x 8 macro click grid, and every
control owns whole cells, so one ``click:<col>,<row>`` macro reaches it at any
resolution. The same tables drive input, drawing and the oracle.

Cells are ``(col, row)``.
"""

from __future__ import annotations

from .things import EQUIP_SLOTS, TABS

GRID = 8
Cell = tuple[int, int]

# --- shared -----------------------------------------------------------------------
TAB_CELL: dict[str, Cell] = {name: (i, 0) for i, name in enumerate(TABS)}
TAB_AT: dict[Cell, str] = {cell: name for name, cell in TAB_CELL.items()}
CLOSE_CELL: Cell = (7, 0)

# --- inventory (and the bag on the crafting screen) ---------------------------------
EQUIP_CELL: dict[str, Cell] = {slot: (0, 1 + i) for i, slot in enumerate(EQUIP_SLOTS)}
EQUIP_AT: dict[Cell, str] = {cell: slot for slot, cell in EQUIP_CELL.items()}
BAG_LABEL: Cell = (1, 1)
CHEST_LABEL: Cell = (1, 5)
DROP_CELL: Cell = (7, 7)


def bag_cell(i: int) -> Cell:
    return (2 + i % 6, 1 + i // 6)


def chest_cell(i: int) -> Cell:
    return (2 + i % 6, 5 + i // 6)


def bag_at(col: int, row: int) -> int | None:
    return (row - 1) * 6 + col - 2 if 2 <= col < 8 and 1 <= row < 4 else None


def chest_at(col: int, row: int) -> int | None:
    return (row - 5) * 6 + col - 2 if 2 <= col < 8 and 5 <= row < 7 else None


# --- crafting ---------------------------------------------------------------------
INGREDIENT_CELLS: tuple[Cell, ...] = ((2, 4), (3, 4), (4, 4))
ARROW_CELL: Cell = (5, 4)
RESULT_CELL: Cell = (6, 4)
CRAFT_CELL: Cell = (7, 4)
HAMMER_LABEL: Cell = (1, 4)
RECIPE_ROW0 = 5  # recipes on rows 5..7: result, '=', two ingredients from column 2

# --- shop -------------------------------------------------------------------------
COIN_CELLS = tuple((c, 0) for c in range(1, 7))  # four coins per cell, 24 in all
STOCK_ROW0 = 1  # one stock entry per row from row 1: icon in column 0, price in 1..2
SELL_VALUE_CELLS: tuple[Cell, ...] = ((4, 6), (5, 6))
BUY_CELLS: tuple[Cell, ...] = ((0, 7), (1, 7), (2, 7))
SELL_CELLS: tuple[Cell, ...] = ((5, 7), (6, 7), (7, 7))


def shop_bag_cell(i: int) -> Cell:
    return (4 + i % 4, 1 + i // 4)


def shop_bag_at(col: int, row: int) -> int | None:
    return (row - 1) * 4 + col - 4 if 4 <= col < 8 and 1 <= row < 6 else None


# --- main menu --------------------------------------------------------------------
def main_slot(k: int) -> Cell:
    """Leftmost cell of the k-th main-menu button (two columns of four-cell buttons)."""
    return (0 if k % 2 == 0 else 4, 2 + k // 2)


def main_at(col: int, row: int) -> int | None:
    return (row - 2) * 2 + (col >= 4) if 2 <= row < 6 else None


# --- settings ---------------------------------------------------------------------
DROPDOWN_ROW = 1
SPOT_COL0 = (0, 4)  # left and right halves
TOGGLE_SPOTS: tuple[Cell, ...] = ((0, 2), (4, 2), (0, 3), (4, 3))
SLIDER_ROW0 = 4  # sliders on rows 4..6: icon, minus, five track cells, plus
BACK_CELLS: tuple[Cell, ...] = ((0, 7), (1, 7))
RESET_CELLS: tuple[Cell, ...] = ((6, 7), (7, 7))


def option_cell(spot: int, index: int) -> Cell:
    """A drop-down option: rows below the box, in the box's value cells."""
    return (SPOT_COL0[spot] + 1, DROPDOWN_ROW + 1 + index)


# --- dialogue -----------------------------------------------------------------------
ANSWER_ROW0 = 3  # answers on rows 3..6

# --- game view --------------------------------------------------------------------
HUD: dict[Cell, str] = {(0, 0): "main", (5, 0): "inventory", (6, 0): "map", (7, 0): "shop"}
HUD_CELL: dict[str, Cell] = {name: cell for cell, name in HUD.items()}

# --- map ------------------------------------------------------------------------------
TRAVEL_CELL: Cell = (6, 0)

# --- quit box and title ---------------------------------------------------------------
YES_CELLS: tuple[Cell, ...] = ((2, 4), (3, 4))
NO_CELLS: tuple[Cell, ...] = ((4, 4), (5, 4))
PLAY_CELLS: tuple[Cell, ...] = ((3, 5), (4, 5))


def cell_of(x: float, y: float) -> Cell:
    return (min(GRID - 1, max(0, int(x * GRID))), min(GRID - 1, max(0, int(y * GRID))))
