"""First names shared by the generators: short, so that prompts stay inside the model's context."""

NAMES = (
    "Ann", "Bob", "Cora", "Dan", "Eve", "Finn", "Gina", "Hugo", "Ida", "Jack", "Kim", "Leo", "Mia", "Ned",
    "Olga", "Pete", "Quin", "Rosa", "Sam", "Tina", "Uma", "Vic", "Wade", "Xena", "Yuri", "Zoe", "Abel", "Beth",
    "Carl", "Dora", "Emil", "Fay", "Gus", "Hana", "Ivan", "Jade", "Kurt", "Lulu", "Max", "Nina", "Otto", "Pia",
    "Raul", "Suki", "Tom", "Ugo", "Vera", "Walt", "Yoko", "Zack", "Alma", "Bart", "Cleo", "Dirk", "Enzo", "Frida",
    "Gwen", "Hank", "Iris", "Joel", "Kira", "Lars", "Maud", "Noel", "Opal", "Ravi", "Sven", "Thea", "Ulf", "Vlad",
)  # fmt: skip
