keep;
}
