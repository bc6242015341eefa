"""GameUI's vocabulary: items, equipment slots, recipes, prices, settings, map
places, characters and dialogue answers, plus the mutable :class:`Thing` behind
every entity view."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simagym.world import Entity

# --- items ----------------------------------------------------------------------
WEAPONS = ("sword", "axe", "bow", "spear")
SLOT_OF: dict[str, str] = {
    **{k: "weapon" for k in WEAPONS},
    "helmet": "head", "armour": "body", "shield": "offhand", "torch": "offhand",
}
EQUIP_SLOTS = ("head", "body", "weapon", "offhand")
FOOD = ("apple", "bread", "fish")
MATERIALS = ("stick", "coal", "wheat", "stone", "herb", "gem", "rope")
POTION_COLOURS = ("red", "blue", "green")
ITEMS = (*WEAPONS, "helmet", "armour", "shield", "torch", *FOOD, "potion", *MATERIALS)
CONSUMABLE = frozenset({*FOOD, "potion"})
EQUIPPABLE = frozenset(SLOT_OF)

#: What a merchant asks for one item (a seed moves it by one either way, 1..5).
PRICE = {
    "sword": 4, "axe": 3, "bow": 4, "spear": 3, "helmet": 3, "armour": 5, "shield": 3, "torch": 2,
    "apple": 1, "bread": 2, "fish": 2, "potion": 3,
    "stick": 1, "coal": 1, "wheat": 1, "stone": 1, "herb": 1, "gem": 5, "rope": 2,
}


def sell_value(kind: str) -> int:
    """Coins a merchant pays for one item."""
    return max(1, PRICE[kind] // 2)


#: Result -> two ingredients (order does not matter).
RECIPES: dict[str, tuple[str, str]] = {
    "torch": ("stick", "coal"),
    "bread": ("wheat", "wheat"),
    "spear": ("stick", "stone"),
    "rope": ("herb", "herb"),
}

MAX_COINS = 24  # a purse holds this many (the shop shows four per cell)

# --- settings -------------------------------------------------------------------
SLIDERS = ("music_volume", "sound_volume", "brightness")
LEVELS = 5  # 0..4
AMOUNTS = ("off", "low", "half", "high", "full")  # a name for each level
TOGGLES = ("subtitles", "fullscreen", "hints", "autosave")
DROPDOWNS: dict[str, tuple[str, ...]] = {
    "difficulty": ("easy", "normal", "hard", "expert"),
    "language": ("english", "french", "german", "spanish", "italian", "swedish"),
}
DEFAULTS: dict[str, Any] = {
    "music_volume": 3, "sound_volume": 3, "brightness": 2,
    "subtitles": False, "fullscreen": True, "hints": True, "autosave": True,
    "difficulty": "normal", "language": "english",
}
SETTINGS = (*SLIDERS, *TOGGLES, *DROPDOWNS)

# --- map, people, dialogue --------------------------------------------------------
PLACES = ("lake", "mountain", "castle", "forest", "village", "cave", "volcano", "desert")
NPCS = ("wizard", "knight", "merchant", "farmer")
ANSWERS = ("accept", "decline", "ask", "trade", "fight", "goodbye")
#: What choosing each answer does, in words: an answer's ``intent`` (a state selectors can name,
#: so an instruction can say it naturally: ``{intent: accept_the_quest}`` reads "accept the quest").
INTENTS: dict[str, str] = {
    "accept": "accept_the_quest", "decline": "decline_the_quest", "ask": "ask_a_question",
    "trade": "offer_to_trade", "fight": "challenge_them_to_a_fight", "goodbye": "say_goodbye",
}
ANSWER_OF_INTENT = {intent: kind for kind, intent in INTENTS.items()}

# --- screens ----------------------------------------------------------------------
TABS = ("inventory", "crafting", "map")
MAIN_BUTTONS = ("continue", "settings", "inventory", "crafting", "shop", "map", "save", "quit")
SCREENS = ("main", "settings", "inventory", "crafting", "shop", "map", "dialogue", "quit", "title")


@dataclass(eq=False, slots=True)
class Thing:
    """Mutable world-side state of one entity; checks see its :class:`Entity` view."""

    id: int
    kind: str
    colour: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    _view: Entity | None = None
    #: The sprite layer that draws this thing as an item.
    icon: str = field(init=False)

    def __post_init__(self) -> None:
        self.icon = f"item:{self.kind}:{self.colour}" if self.colour else f"item:{self.kind}"

    def view(self) -> Entity:
        if self._view is None:
            self._view = Entity(self.id, self.kind, self.colour, dict(self.state))
        return self._view

    def set(self, **changes: Any) -> None:
        self.state.update(changes)
        self._view = None

    def matches(self, selector) -> bool:
        return self.view().matches(selector)


def slider_state(level: int) -> dict[str, Any]:
    return {"level": level, "amount": AMOUNTS[level]}


def setting_state(kind: str, value: Any) -> dict[str, Any]:
    if kind in SLIDERS:
        return slider_state(int(value))
    if kind in TOGGLES:
        return {"enabled": bool(value)}
    return {"value": value}
